using System.Globalization;
using System.Text.Json;
using Referrals.Contact;
using Referrals.State;

namespace Referrals.Receipts;

/// <summary>
/// GOV.UK Notify's message statuses (its "Message status" documentation) in the pipeline's terms, per issue 10. The same
/// mapping serves the delivery-receipt callbacks and the status lookup (<c>GET /v2/notifications/{id}</c>).
/// </summary>
public static class NotifyStatuses
{
    /// <summary>The channel of a Notify <c>notification_type</c> (callback) or <c>type</c> (status lookup), or null.</summary>
    public static Channel? ChannelOf(string? notificationType) => notificationType switch
    {
        "sms" => Channel.Sms,
        "letter" => Channel.Letter,
        "email" => Channel.Email,
        _ => null,
    };

    /// <summary>What a status means for a message of that channel, or null for a status Notify does not document for it.</summary>
    public static ReceiptStatus? Map(Channel channel, string status) => (channel, status) switch
    {
        // Rulebook 1.2 section 6: a letter is delivered when Notify reports it printed and posted (received), never while it
        // waits for the print run (accepted: Notify's created or sending, app/models.py get_letter_status lines 1736-1753 at
        // 8ea2366). Notify sends no callback for letters, so the status timer asks again until it settles.
        (Channel.Letter, "received") => ReceiptStatus.Delivered,
        (Channel.Letter, "accepted") => ReceiptStatus.Deferred,
        (Channel.Letter, "permanent-failure" or "validation-failed" or "cancelled" or "virus-scan-failed") => ReceiptStatus.FailedForGood,

        // Not printed, so not sent; Notify says "do not try to send the letter again", so ReceiptRule fails the letter for good.
        (Channel.Letter, "technical-failure") => ReceiptStatus.NotSent,
        (Channel.Letter, "created" or "sending" or "pending-virus-check") => ReceiptStatus.Deferred,
        (Channel.Sms or Channel.Email, "delivered") => ReceiptStatus.Delivered,

        // temporary-failure is Notify's final word once its provider stops retrying (up to 72 hours).
        (Channel.Sms or Channel.Email, "permanent-failure" or "temporary-failure") => ReceiptStatus.FailedForGood,
        (Channel.Sms or Channel.Email, "technical-failure") => ReceiptStatus.NotSent,
        (Channel.Sms, "created" or "sending" or "pending") => ReceiptStatus.Deferred,
        (Channel.Email, "created" or "sending") => ReceiptStatus.Deferred,
        _ => null,
    };

    /// <summary>Notify's timestamps: ISO 8601 in UTC with microseconds (<c>2017-05-14T12:15:30.000000Z</c>).</summary>
    internal static DateTimeOffset? Time(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    /// <summary>A field Notify sends as a string or null: the string, or null when it is null or missing; false when it is something else.</summary>
    internal static bool StringOrNull(JsonElement item, string name, out string? value)
    {
        value = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        value = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return element.ValueKind == JsonValueKind.String;
    }
}

/// <summary>What a Notify callback or status lookup says: a receipt, or why it changes nothing.</summary>
public sealed record NotifyReport(Receipt? Receipt, IgnoredEvent? Ignored);

/// <summary>
/// GOV.UK Notify's delivery-receipt callback (a JSON object whose values are strings, except <c>template_version</c>):
/// <c>id</c> (UUID), <c>reference</c> (the service's, or null), <c>to</c>, <c>status</c>, <c>created_at</c>,
/// <c>completed_at</c>, <c>sent_at</c>, <c>notification_type</c>, <c>template_id</c>, <c>template_version</c>. And the
/// status lookup's answer, whose type field is <c>type</c>.
/// </summary>
public static class NotifyReports
{
    public static Parsed<NotifyReport> ParseCallback(ReadOnlySpan<byte> body) => Parse(body, "notification_type");

    /// <summary>The answer to <c>GET /v2/notifications/{id}</c>.</summary>
    public static Parsed<NotifyReport> ParseLookup(ReadOnlySpan<byte> body) => Parse(body, "type");

    /// <summary>
    /// The answer to <c>GET /v2/notifications?reference=</c> (<c>{"notifications": [...], "links": {...}}</c>, newest
    /// first): the newest notification with exactly that reference, with its status mapped and dated by Notify
    /// (<c>completed_at</c>, else <c>sent_at</c>, else <c>created_at</c>); not found when there is none; null when the
    /// body is not that shape or the notification's status is not one Notify documents for its type.
    /// </summary>
    public static State.NotifyRecord? ParseList(ReadOnlySpan<byte> body, string reference)
    {
        if (ReceiptJson.TryParse(body, out _) is not { } document)
        {
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("notifications", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !NotifyStatuses.StringOrNull(item, "reference", out var itemReference) || itemReference != reference)
                {
                    continue;
                }

                var raw = System.Text.Encoding.UTF8.GetBytes(item.GetRawText());
                return Parse(raw, "type").Value is { Receipt: { ProviderMessageId: { } id } receipt } && NotifyStatuses.Time(item, "created_at") is { } created
                    ? new State.NotifyRecord.Found(receipt.Channel, id, created, receipt.Status, receipt.At)
                    : null;
            }

            return new State.NotifyRecord.NotFound();
        }
    }

    private static Parsed<NotifyReport> Parse(ReadOnlySpan<byte> body, string typeField)
    {
        if (ReceiptJson.TryParseObject(body, out var problem) is not { } document)
        {
            return Parsed.Refused<NotifyReport>(problem!);
        }

        using (document)
        {
            var item = document.RootElement;
            if (ReceiptJson.Uuid(item, "id") is not { } id)
            {
                return Parsed.Refused<NotifyReport>("id is missing or not a UUID");
            }

            if (!item.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.String || statusElement.GetString() is not { Length: > 0 and <= 64 } status)
            {
                return Parsed.Refused<NotifyReport>("status is missing or not a string");
            }

            if (!item.TryGetProperty(typeField, out var typeElement) || NotifyStatuses.ChannelOf(typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null) is not { } channel)
            {
                return Parsed.Refused<NotifyReport>($"{typeField} is missing or not email, sms or letter");
            }

            if (!NotifyStatuses.StringOrNull(item, "reference", out var reference))
            {
                return Parsed.Refused<NotifyReport>("reference is not a string or null");
            }

            if (NotifyStatuses.Time(item, "created_at") is not { } created)
            {
                return Parsed.Refused<NotifyReport>("created_at is missing or not a time");
            }

            if (NotifyStatuses.Map(channel, status) is not { } mapped)
            {
                return Parsed.Ok(new NotifyReport(null, IgnoredEvent.NotAStatus));
            }

            if (reference is not { Length: > 0 })
            {
                return Parsed.Ok(new NotifyReport(null, IgnoredEvent.UnknownMessage));
            }

            var at = NotifyStatuses.Time(item, "completed_at") ?? NotifyStatuses.Time(item, "sent_at") ?? created;
            var idText = id.ToString("D");
            return Parsed.Ok(new NotifyReport(
                new Receipt(ReceiptProvider.Notify, channel, reference, mapped, at, $"{idText}:{status}") { ProviderMessageId = idText }, null));
        }
    }
}

/// <summary>
/// GOV.UK Notify's returned-letter callback (alphagov/notifications-api app/celery/service_callback_tasks.py,
/// send_returned_letter_to_service lines 30-54 and create_returned_letter_callback_data lines 243-266, at commit 8ea2366):
/// a JSON object with <c>notification_id</c>, <c>reference</c> (ours, for a letter sent by API), <c>date_sent</c> and
/// fields about the template or spreadsheet we do not read. Posted with the returned-letter callback's own bearer token,
/// possibly weeks after the letter was posted: the letter failed for good after all (rulebook 1.2 section 6).
/// </summary>
public static class NotifyReturnedLetters
{
    public const string Status = "returned-letter";

    public static Parsed<NotifyReport> Parse(ReadOnlySpan<byte> body)
    {
        if (ReceiptJson.TryParseObject(body, out var problem) is not { } document)
        {
            return Parsed.Refused<NotifyReport>(problem!);
        }

        using (document)
        {
            var item = document.RootElement;
            if (ReceiptJson.Uuid(item, "notification_id") is not { } id)
            {
                return Parsed.Refused<NotifyReport>("notification_id is missing or not a UUID");
            }

            if (!NotifyStatuses.StringOrNull(item, "reference", out var reference))
            {
                return Parsed.Refused<NotifyReport>("reference is not a string or null");
            }

            if (NotifyStatuses.Time(item, "date_sent") is not { } sent)
            {
                return Parsed.Refused<NotifyReport>("date_sent is missing or not a time");
            }

            if (reference is not { Length: > 0 })
            {
                return Parsed.Ok(new NotifyReport(null, IgnoredEvent.UnknownMessage));
            }

            var idText = id.ToString("D");
            return Parsed.Ok(new NotifyReport(
                new Receipt(ReceiptProvider.Notify, Channel.Letter, reference, ReceiptStatus.FailedForGood, sent, $"{idText}:{Status}") { ProviderMessageId = idText }, null));
        }
    }
}
