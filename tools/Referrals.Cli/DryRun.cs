using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using MimeKit;
using Referrals.Contact;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Rules;

namespace Referrals.Cli;

public sealed record DryRunSummary(long Lines, long Snapshots, long Victims, long Rejected, long EmailsWritten, long TextsWritten = 0, long LettersWritten = 0);

/// <summary>A message written for review: its file name (<see cref="ReviewFiles"/>) and what to write.</summary>
internal sealed record ReviewFile(Channel Channel, string Name, string Content);

/// <summary>
/// `referrals decide`: applies the rules to every snapshot of a JSON Lines stream and writes one decision
/// per victim per line (rulebook section 8). A bad line becomes a rejected line and the run goes on.
/// </summary>
/// <remarks>
/// With a folder, every channel's message is written for review, named stably (<see cref="ReviewFiles"/>): the email
/// (.eml) that would be sent, and the text message (.txt) and letter (.html) each channel the contact plan makes safe
/// would carry. Which of them is actually sent (the first safe channel) is the plan's choice.
/// </remarks>
public sealed class DryRun(ReferralRules rules, EntitlementEmailComposer composer, MailboxAddress sender, TextMessageComposer? texts = null, LetterComposer? letters = null)
{
    // Lines up to twice the message limit are read whole so the parser can say exactly how large they were.
    private const int MaxLineBytes = 2 * ContractLimits.MaxMessageBytes;

    public async Task<DryRunSummary> RunAsync(Stream input, Stream output, string? emailsFolder, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        // Relaxed escaping keeps reasons readable (no \u0027); the output is JSON Lines, never embedded in HTML.
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long lines = 0, snapshots = 0, victims = 0, rejected = 0, emails = 0, textsWritten = 0, lettersWritten = 0;

        await foreach (var line in JsonLinesReader.ReadAsync(input, MaxLineBytes, cancellationToken))
        {
            lines++;
            if (!line.TooLong && IsBlank(line.Bytes.Span))
            {
                continue;
            }

            var decided = Decide(line, emailsFolder is not null);
            if (decided.Rejection is { } rejection)
            {
                rejected++;
                DecisionJson.WriteRejected(json, rejection.EventId, $"line {line.Number}: {rejection.Reason}");
                await FlushLineAsync(json, buffer, output, cancellationToken);
                continue;
            }

            snapshots++;
            foreach (var decision in decided.Decisions)
            {
                victims++;
                DecisionJson.Write(json, decision);
                await FlushLineAsync(json, buffer, output, cancellationToken);
            }

            foreach (var email in decided.Emails)
            {
                await EmlWriter.WriteAsync(email, sender, decided.SentAt, emailsFolder!, cancellationToken);
                emails++;
            }

            foreach (var review in decided.Reviews)
            {
                Directory.CreateDirectory(emailsFolder!);
                await File.WriteAllTextAsync(Path.Combine(emailsFolder!, review.Name), review.Content, cancellationToken);
                _ = review.Channel == Channel.Sms ? textsWritten++ : lettersWritten++;
            }
        }

        await output.FlushAsync(cancellationToken);
        return new DryRunSummary(lines, snapshots, victims, rejected, emails, textsWritten, lettersWritten);
    }

    /// <summary>
    /// Everything one line leads to, worked out before anything is written, so that whatever fails on the
    /// line (the parser, the calendar, the rules, an email that cannot be rendered) becomes one rejected line
    /// and the run goes on. The reason names the failure, never a value from the line.
    /// </summary>
    private Decided Decide(JsonLine line, bool withEmails)
    {
        string? eventId = null;
        try
        {
            var parsed = line.TooLong
                ? ParseResult.Rejected(null, ContractLimits.TooLarge(line.Length))
                : CrimeEventParser.Parse(line.Bytes);
            eventId = parsed.EventId;
            if (parsed.Snapshot is not { } snapshot)
            {
                return Decided.Rejected(eventId, parsed.Reason!);
            }

            var decisions = rules.Decide(snapshot);
            var emails = new List<EntitlementEmail>();
            var reviews = new List<ReviewFile>();
            for (var i = 0; withEmails && i < decisions.Count; i++)
            {
                var (victim, decision) = (snapshot.Victims[i], decisions[i]);
                if (decision.Held)
                {
                    // Nothing is sent while the crime is held, so there is nothing to review.
                    continue;
                }

                if (composer.Compose(snapshot, victim, decision) is { } email)
                {
                    // Rendered once here so that an email that cannot be written rejects its line, not the run.
                    using var _ = EmlWriter.ToMime(email, sender, snapshot.SentAt);
                    emails.Add(email);
                }

                if (texts is not null && decision.Contact[Channel.Sms].Safe)
                {
                    reviews.Add(new ReviewFile(Channel.Sms, ReviewFiles.Name(decision.CrimeReference, decision.CrimeVersion, decision.VictimId, Channel.Sms),
                        texts.Compose(snapshot, victim, decision).Body + "\n"));
                }

                if (letters is not null && decision.Contact[Channel.Letter].Safe && letters.Compose(snapshot, victim, decision) is { } letter)
                {
                    reviews.Add(new ReviewFile(Channel.Letter, ReviewFiles.Name(decision.CrimeReference, decision.CrimeVersion, decision.VictimId, Channel.Letter), letter.ToHtml()));
                }
            }

            return new Decided(snapshot.SentAt, decisions, emails, reviews, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Decided.Rejected(eventId, $"the snapshot could not be decided ({ex.GetType().Name}); please report it with this line");
        }
    }

    private sealed record Decided(
        DateTimeOffset SentAt, IReadOnlyList<VictimDecision> Decisions, IReadOnlyList<EntitlementEmail> Emails, IReadOnlyList<ReviewFile> Reviews, (string? EventId, string Reason)? Rejection)
    {
        public static Decided Rejected(string? eventId, string reason) => new(default, [], [], [], (eventId, reason));
    }

    private static async Task FlushLineAsync(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, Stream output, CancellationToken cancellationToken)
    {
        json.Flush();
        buffer.Write("\n"u8);
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
        buffer.ResetWrittenCount();
        json.Reset(buffer);
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.Trim(" \t\r"u8).IsEmpty;
}
