using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using MimeKit;
using Referrals.Contract;
using Referrals.Emails;
using Referrals.Rules;

namespace Referrals.Cli;

public sealed record DryRunSummary(long Lines, long Snapshots, long Victims, long Rejected, long EmailsWritten);

/// <summary>
/// `referrals decide`: applies the rules to every snapshot of a JSON Lines stream and writes one decision
/// per victim per line (rulebook section 8). A bad line becomes a rejected line and the run goes on.
/// </summary>
public sealed class DryRun(ReferralRules rules, EntitlementEmailComposer composer, MailboxAddress sender)
{
    // Lines up to twice the message limit are read whole so the parser can say exactly how large they were.
    private const int MaxLineBytes = 2 * ContractLimits.MaxMessageBytes;

    public async Task<DryRunSummary> RunAsync(Stream input, Stream output, string? emailsFolder, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        // Relaxed escaping keeps reasons readable (no \u0027); the output is JSON Lines, never embedded in HTML.
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long lines = 0, snapshots = 0, victims = 0, rejected = 0, emails = 0;

        await foreach (var line in JsonLinesReader.ReadAsync(input, MaxLineBytes, cancellationToken))
        {
            lines++;
            if (!line.TooLong && IsBlank(line.Bytes.Span))
            {
                continue;
            }

            var parsed = line.TooLong
                ? ParseResult.Rejected(null, ContractLimits.TooLarge(line.Length))
                : CrimeEventParser.Parse(line.Bytes);

            if (parsed.Snapshot is not { } snapshot)
            {
                rejected++;
                DecisionJson.WriteRejected(json, parsed.EventId, $"line {line.Number}: {parsed.Reason}");
                await FlushLineAsync(json, buffer, output, cancellationToken);
                continue;
            }

            snapshots++;
            var decisions = rules.Decide(snapshot);
            for (var i = 0; i < decisions.Count; i++)
            {
                victims++;
                DecisionJson.Write(json, decisions[i]);
                await FlushLineAsync(json, buffer, output, cancellationToken);
                if (emailsFolder is not null && composer.Compose(snapshot, snapshot.Victims[i], decisions[i]) is { } email)
                {
                    await EmlWriter.WriteAsync(email, sender, snapshot.SentAt, emailsFolder, cancellationToken);
                    emails++;
                }
            }
        }

        await output.FlushAsync(cancellationToken);
        return new DryRunSummary(lines, snapshots, victims, rejected, emails);
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
