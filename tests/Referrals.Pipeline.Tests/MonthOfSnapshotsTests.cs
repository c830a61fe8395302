using System.Globalization;
using Referrals.Tallies;

namespace Referrals.Pipeline.Tests;

/// <summary>A month at a force's scale, through the local host on Azurite: the tallies must equal counts computed independently.</summary>
[Collection(AzuriteGroup.Name)]
public sealed class MonthOfSnapshotsTests(AzuriteFixture azurite)
{
    private static readonly Month June = new(2026, 6);

    /// <summary>
    /// Derbyshire's 2022-23 mix: about 80% of victims on the opt-out pathway (auto-referred, a few opting out) and
    /// 20% domestic abuse or sexual offences on the consent pathway (accepting, declining or not yet asked).
    /// One in ten has a safe email address. Seeded, so a failure can be reproduced.
    /// </summary>
    public static List<string> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var sentAt = start.AddMinutes(i * 4);
            var roll = random.NextDouble();
            var (code, flags, support) = roll switch
            {
                < 0.76 => ("28E", "", "NotAsked"),
                < 0.80 => ("28E", "", "Declined"),
                < 0.90 => ("8N", "\"DomesticAbuse\"", random.Next(10) switch { < 5 => "Accepted", < 8 => "Declined", _ => "NotAsked" }),
                _ => ("19C", "", random.Next(10) switch { < 5 => "Accepted", < 8 => "Declined", _ => "NotAsked" }),
            };
            var email = random.Next(10) == 0 ? ", \"email\": \"victim@example.org\", \"emailSafe\": true" : "";
            return string.Create(CultureInfo.InvariantCulture,
                $$"""{"schemaVersion": 1, "eventId": "month-{{i}}", "sentAt": "{{sentAt:yyyy-MM-ddTHH:mm:ssZ}}", "crime": {"reference": "GEN/26/{{i:D6}}", "version": 1, "recordedAt": "{{sentAt.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}}", "offence": {"homeOfficeCode": "{{code}}", "description": ""}, "flags": [{{flags}}]}, "victims": [{"id": "V1", "givenName": "Test", "familyName": "Victim", "support": "{{support}}"{{email}}}]}""");
        })];
    }

    [Fact]
    public async Task A_month_of_10000_snapshots_in_Derbyshires_proportions_gives_exactly_the_independently_computed_tallies()
    {
        var snapshots = Generate(10_000, seed: 2023);
        await using var pipeline = new PipelineTestHost(azurite);
        await pipeline.StartAsync();

        // Fed as a records system would, a little at a time rather than 10,000 at once: Azurite's queues look through
        // every waiting message on each fetch, so a deep backlog slows the emulator in a way Azure's queues are not.
        foreach (var chunk in snapshots.Chunk(100))
        {
            while (await pipeline.QueuedAsync() > 100)
            {
                await Task.Delay(100);
            }

            await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (line, ct) =>
                await pipeline.CrimeEvents.SendMessageAsync(new BinaryData(System.Text.Encoding.UTF8.GetBytes(line)), cancellationToken: ct));
        }

        await pipeline.WaitUntilIdleAsync(seconds: 600);

        var expected = ExpectedTallies.Of(snapshots);
        var report = await pipeline.TalliesAsync(June);
        Assert.InRange(expected[TallyCategories.OptOutAutoReferrals] / (double)snapshots.Count, 0.74, 0.78);
        Assert.InRange(expected[TallyCategories.DaSexualOffences] / (double)snapshots.Count, 0.18, 0.22);
        Assert.Equal(
            expected.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"),
            report.Categories.Select(c => c.Key).Order(StringComparer.Ordinal).Select(k => $"{k}={report[June, k]}"));
    }
}
