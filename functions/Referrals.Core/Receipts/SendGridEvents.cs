using System.Text.Json;
using Referrals.Contact;
using Referrals.State;

namespace Referrals.Receipts;

/// <summary>Why an event in a batch changes nothing. Counted, never logged with anything from the event.</summary>
public enum IgnoredEvent
{
    /// <summary>An event that says nothing about delivery (open, click, unsubscribe…).</summary>
    NotAStatus,

    /// <summary>About an email that is not an entitlement message (a secure email to a service).</summary>
    NotAVictimMessage,

    /// <summary>Without the <c>custom_args</c> the pipeline sets on every email: not one the pipeline sent.</summary>
    UnknownMessage,

    /// <summary>The same <c>sg_event_id</c> earlier in the batch.</summary>
    Duplicate,
}

/// <summary>A verified batch of SendGrid events: the receipts to apply, and what was ignored and why.</summary>
public sealed record SendGridBatch(IReadOnlyList<Receipt> Receipts, IReadOnlyList<IgnoredEvent> Ignored);

/// <summary>
/// SendGrid's Event Webhook body (a JSON array of event objects, each with <c>event</c>, <c>sg_event_id</c>,
/// <c>timestamp</c> and the email's <c>custom_args</c> as top-level keys) as receipts, per issue 10:
/// <c>delivered</c> → Delivered; <c>deferred</c> → wait; <c>bounce</c> (any type, <c>blocked</c> included) and
/// <c>dropped</c> → failed for good; <c>spamreport</c> → delivered, recorded.
/// </summary>
public static class SendGridEvents
{
    /// <summary>The category the pipeline gives entitlement emails (<c>SendGridGateway</c>).</summary>
    public const string EntitlementCategory = "entitlement-email";

    /// <summary>Issue 22: an entitlement email's only custom arg, its send's token (<see cref="MessageToken"/>).</summary>
    public const string TokenArg = "ref";

    public const string CrimeReferenceArg = "crimeReference";
    public const string VictimIdArg = "victimId";

    /// <summary>What an event type means for the message, or null when it says nothing about delivery.</summary>
    public static ReceiptStatus? Map(string eventType) => eventType switch
    {
        "delivered" => ReceiptStatus.Delivered,
        // Rulebook 1.2 section 6: processed and deferred say SendGrid has the email (not final): an email whose outcome was
        // unknown is settled as accepted by either (ReceiptRule.Apply), so it is never sent again after silence.
        "processed" or "deferred" => ReceiptStatus.Deferred,
        "bounce" or "blocked" or "dropped" => ReceiptStatus.FailedForGood,
        "spamreport" => ReceiptStatus.SpamReported,
        _ => null,
    };

    /// <param name="recipientKey">The keyed hash of a recipient address (issue 22), or none: no receipt carries one.</param>
    public static Parsed<SendGridBatch> Parse(ReadOnlySpan<byte> body, Func<string, string>? recipientKey = null)
    {
        if (ReceiptJson.TryParse(body, out var problem) is not { } document)
        {
            return Parsed.Refused<SendGridBatch>(problem!);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                return Parsed.Refused<SendGridBatch>("the body is not a non-empty array of events");
            }

            var receipts = new List<Receipt>();
            var ignored = new List<IgnoredEvent>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (Event(item) is not { } parsed)
                {
                    return Parsed.Refused<SendGridBatch>($"event {index} lacks event, sg_event_id or timestamp, or has a field of the wrong type");
                }

                index++;
                var (type, eventId, at) = parsed;

                // sg_event_id is SendGrid's, and not trusted alone: the same event about the same message at the same
                // second is a repeat whatever its id.
                if (!seen.Add(eventId) | !seen.Add($"{type}\u001f{MessageKey(item)}\u001f{at.ToUnixTimeSeconds()}"))
                {
                    ignored.Add(IgnoredEvent.Duplicate);
                }
                else if (Map(type) is not { } status)
                {
                    ignored.Add(IgnoredEvent.NotAStatus);
                }
                else if (!IsEntitlementEmail(item) && (item.TryGetProperty("category", out _) || type != "bounce"))
                {
                    // A bounce with no category at all may be ours, having lost its categories with its custom args.
                    ignored.Add(IgnoredEvent.NotAVictimMessage);
                }
                else if (IsEntitlementEmail(item) && ReferenceOf(item) is { } reference)
                {
                    receipts.Add(new Receipt(ReceiptProvider.SendGrid, Channel.Email, reference, status, at, eventId)
                    {
                        ProviderMessageId = item.TryGetProperty("sg_message_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                        RecipientKey = RecipientKeyOf(item, recipientKey),
                    });
                }
                else if (type == "bounce" && RecipientKeyOf(item, recipientKey) is { } key)
                {
                    // An asynchronous bounce that lost the custom args and names no token: matched by its address alone.
                    receipts.Add(new Receipt(ReceiptProvider.SendGrid, Channel.Email, string.Empty, status, at, eventId) { RecipientKey = key });
                }
                else
                {
                    ignored.Add(IgnoredEvent.UnknownMessage);
                }
            }

            // Applied in the order of their timestamps (a stable sort: events of one second keep the batch's order), so a
            // bounce after delivered is learnt as one, whatever order the batch lists them in.
            return Parsed.Ok(new SendGridBatch([.. receipts.OrderBy(r => r.At)], ignored));
        }
    }

    /// <summary>
    /// The reference of the email an event is about: its token (the custom arg, else the Message-ID SendGrid reports as
    /// <c>smtp-id</c>, which an asynchronous bounce may carry when it has lost the custom args), else the crime reference
    /// and victim id of an email sent before issue 22; null when it names none.
    /// </summary>
    private static string? ReferenceOf(JsonElement item)
    {
        if (Arg(item, TokenArg) is { Length: > 0 } token)
        {
            return token;
        }

        if (Text(item, "smtp-id") is { } smtp && smtp.TrimStart('<') is var id && id.StartsWith(MessageToken.Prefix, StringComparison.Ordinal) && id.IndexOf('@', StringComparison.Ordinal) is > 0 and var at)
        {
            return id[..at];
        }

        return Arg(item, CrimeReferenceArg) is { Length: > 0 } crime && Arg(item, VictimIdArg) is { Length: > 0 } victim ? MessageReference.Email(crime, victim) : null;
    }

    /// <summary>The keyed hash of the event's recipient (<c>email</c>, trimmed and lower-cased), or null without one or without the key.</summary>
    private static string? RecipientKeyOf(JsonElement item, Func<string, string>? recipientKey) =>
        recipientKey is not null && Text(item, "email")?.Trim() is { Length: > 0 and <= 320 } address ? recipientKey(address.ToLowerInvariant()) : null;

    /// <summary>What names the message an event is about: SendGrid's message id, else the SMTP id, else the recipient and our custom args.</summary>
    private static string MessageKey(JsonElement item) =>
        Text(item, "sg_message_id") is { } id ? $"id:{id}"
        : Text(item, "smtp-id") is { } smtp ? $"smtp:{smtp}"
        : $"to:{Text(item, "email")}\u001f{Text(item, CrimeReferenceArg)}\u001f{Text(item, VictimIdArg)}";

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (string Type, string EventId, DateTimeOffset At)? Event(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("event", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not { Length: > 0 and <= 64 } eventType
            || !item.TryGetProperty("sg_event_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 and <= 256 } eventId
            || !item.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind != JsonValueKind.Number || !timestamp.TryGetInt64(out var seconds)
            || seconds < 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || !ArgsAreStrings(item))
        {
            return null;
        }

        return (eventType, eventId, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    // SendGrid sends custom_args as strings; anything else in their place is not SendGrid's.
    private static bool ArgsAreStrings(JsonElement item) =>
        (!item.TryGetProperty(TokenArg, out var token) || token.ValueKind == JsonValueKind.String)
        && (!item.TryGetProperty(CrimeReferenceArg, out var crime) || crime.ValueKind == JsonValueKind.String)
        && (!item.TryGetProperty(VictimIdArg, out var victim) || victim.ValueKind == JsonValueKind.String);

    private static string? Arg(JsonElement item, string name) => item.TryGetProperty(name, out var value) ? value.GetString() : null;

    // SendGrid sends one category as a string and several as an array.
    private static bool IsEntitlementEmail(JsonElement item) =>
        item.TryGetProperty("category", out var category) && category.ValueKind switch
        {
            JsonValueKind.String => category.GetString() == EntitlementCategory,
            JsonValueKind.Array => category.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.GetString() == EntitlementCategory),
            _ => false,
        };
}
