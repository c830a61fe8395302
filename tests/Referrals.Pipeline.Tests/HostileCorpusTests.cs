using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Referrals.Pipeline.DeadLetters;
using Referrals.Rules;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The hostile corpus (tests/hostile, shared with the parser and `decide` tests) through the real pipeline on
/// Azurite: every line refused is kept with a reason naming its field, every line accepted is processed, nothing
/// is retried into poison, and no log line, at Trace, carries a personal value from any line.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class HostileCorpusTests(AzuriteFixture azurite)
{
    private static readonly string[] PersonalFields = ["givenName", "familyName", "title", "email", "phone", "dateOfBirth", "name"];

    private static readonly string[] Lines = [.. File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "hostile", "crime-events-hostile.jsonl")).Where(line => line.Length > 0)];

    private static readonly List<JsonObject> Corpus = [.. Lines.Select(line => JsonNode.Parse(line)!.AsObject())];

    [Fact]
    public async Task Every_hostile_line_is_refused_with_a_reason_naming_its_field_or_processed_and_none_is_poisoned()
    {
        await using var pipeline = new PipelineTestHost(azurite, traceLogs: true);
        await pipeline.StartAsync();

        await pipeline.SendAsync(Lines);
        await pipeline.WaitUntilIdleAsync(seconds: 180);

        var rejected = await pipeline.DeadLettersAsync(DeadLetterKind.Rejected);
        var expectedRejected = Corpus.Where(line => Expect(line) == "rejected").ToList();
        Assert.Equal(expectedRejected.Count, rejected.Count);
        foreach (var line in expectedRejected.Where(line => line["_field"] is not null))
        {
            var field = line["_field"]!.GetValue<string>();
            Assert.Contains(rejected, letter => letter.Reason.Contains(field, StringComparison.Ordinal));
        }

        var secrets = Corpus.Select(line => line["_secret"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.All(rejected, letter => Assert.DoesNotContain(secrets, secret => letter.Reason.Contains(secret, StringComparison.Ordinal)));
        Assert.Empty(await pipeline.DeadLettersAsync(DeadLetterKind.Poison));

        // Every victim of every accepted line has a state row, whatever its content.
        var victims = await pipeline.VictimsAsync();
        var expectedVictims = Corpus.Where(line => Expect(line) == "valid")
            .SelectMany(line => line["victims"]!.AsArray().Select(v => (line["crime"]!["reference"]!.GetValue<string>(), v!["id"]!.GetValue<string>())))
            .Distinct()
            .Order();
        Assert.Equal(expectedVictims, victims.Select(v => (v.CrimeReference, v.VictimId)).Order());

        // Whatever reached SendGrid went to one valid address, with a one-line subject.
        foreach (var request in pipeline.SendGrid.LogEntries.Select(e => JsonNode.Parse(e.RequestMessage.Body!)!))
        {
            var personalization = request["personalizations"]![0]!;
            Assert.Single(personalization["to"]!.AsArray());
            Assert.True(EmailAddress.IsValid(personalization["to"]![0]!["email"]!.GetValue<string>()));
            var subject = personalization["subject"]?.GetValue<string>() ?? request["subject"]!.GetValue<string>();
            Assert.DoesNotContain(subject, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        }

        // A short run of digits ("1991") turns up by chance in request ids and timings: only values a log could not
        // hold by chance are looked for.
        var personal = Corpus.SelectMany(PersonalValues).Concat(secrets)
            .Where(value => value.Length >= 8 || (value.Length >= 4 && value.Any(char.IsLetter)))
            .Distinct()
            .ToList();
        // Dates the corpus uses as dates of birth also stand in the storage API version (x-ms-version: 2026-10-06) and
        // in the host's timestamps (the test clock is at the samples' recording time); a date of birth has no time of day.
        var leaks = pipeline.Logs.Lines
            .Select(l => NotADateOfBirth().Replace(l, "(date)"))
            .SelectMany(l => personal.Where(value => l.Contains(value, StringComparison.Ordinal)).Select(value => (Value: value, Line: l)))
            .ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} log lines carry personal data, e.g.:\n{string.Join("\n", leaks.Take(5).Select(l => $"[{l.Value}] {l.Line}"))}");
    }

    [GeneratedRegex(@"x-ms-version[:=]\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")]
    private static partial Regex NotADateOfBirth();

    private static string? Expect(JsonObject line) => line["_expect"]?.GetValue<string>();

    /// <summary>Every string in a victim's or parent's personal fields, and every string of any shape put in a victim's id.</summary>
    private static IEnumerable<string> PersonalValues(JsonObject line)
    {
        if (line["victims"] is not JsonArray victims)
        {
            yield break;
        }

        foreach (var victim in victims.OfType<JsonObject>())
        {
            foreach (var holder in new[] { victim, victim["parentOrGuardian"] as JsonObject }.OfType<JsonObject>())
            {
                foreach (var field in PersonalFields)
                {
                    if (holder[field] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        yield return value.GetValue<string>().Trim();
                    }
                }

                if (holder["address"] is JsonObject address)
                {
                    foreach (var part in address["lines"] is JsonArray lines ? lines.OfType<JsonValue>() : [])
                    {
                        if (part.GetValueKind() == JsonValueKind.String)
                        {
                            yield return part.GetValue<string>().Trim();
                        }
                    }
                }
            }
        }
    }
}
