using System.Globalization;
using System.Text.Json;
using Referrals.State;

namespace Referrals.Receipts;

/// <summary>
/// SendGrid's Email Activity API (a paid add-on), as the status timer asks it about an email whose outcome is unknown:
/// <c>GET /v3/messages?query=…&amp;limit=…</c>, the query naming the send's token, our one custom arg
/// (<see cref="SendGridEvents.TokenArg"/>). Sources: the OpenAPI document twilio/sendgrid-oai
/// <c>spec/yaml/tsg_email_activity_v3.yaml</c> at 380cb65 (the path, <c>limit</c> 1-1000, the answer
/// <c>{"messages": [{msg_id, status, last_event_time, …}]}</c>, <c>status</c> one of <c>processed</c>, <c>delivered</c>,
/// <c>not_delivered</c>, and the 400 and 429 bodies); the query form <c>unique_args['name']="value"</c> as
/// Jericho/StrongGrid builds it (<c>Source/StrongGrid/Models/Search/Legacy/SearchCriteriaUniqueArg.cs</c> at 3b064cd,
/// <c>SearchCriteria.cs</c> at 208153f: a string value in double quotes); the limit of 6 requests a minute
/// (https://www.twilio.com/docs/sendgrid/api-reference/email-activity, "Rate limits", read 2026-12-07).
/// </summary>
public static class SendGridActivity
{
    /// <summary>How many messages to ask for: one send to one recipient is one message; more say the answer is odd.</summary>
    public const int Limit = 10;

    /// <summary>SendGrid's limit on the Email Activity API: requests a minute, per account.</summary>
    public const int RequestsPerMinute = 6;

    /// <summary>The longest string of SendGrid's answer that is read at all; anything longer is not SendGrid's.</summary>
    private const int MaxField = 256;

    /// <summary>The query for one send: its token as our custom arg (tokens are base64url after <c>rt1.</c>: no quote to escape).</summary>
    public static string Query(string token) => $"unique_args['{SendGridEvents.TokenArg}']=\"{token}\"";

    /// <summary>What a found message's <c>status</c> says, as a receipt: anything found means SendGrid accepted it.</summary>
    public static ReceiptStatus Map(string status) => status switch
    {
        "delivered" => ReceiptStatus.Delivered,
        "not_delivered" => ReceiptStatus.FailedForGood,
        _ => ReceiptStatus.Deferred, // processed, or a status SendGrid has added since: accepted, not final
    };

    /// <summary>
    /// The answer as SendGrid's record of the send: not found (an empty list), or found with its status and
    /// <c>last_event_time</c> (null when missing or not a time). Several messages (not expected for one token) are found and
    /// accepted, final only when they all say the same. Null when the body is not that shape: asked again, nothing believed.
    /// </summary>
    public static SendGridRecord? Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length > ReceiptLimits.MaxBodyBytes || ReceiptJson.TryParseObject(body, out _) is not { } document)
        {
            return null;
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var found = new List<(ReceiptStatus Status, DateTimeOffset? At)>();
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || Text(item, "msg_id") is null || Text(item, "status") is not { } status)
                {
                    return null;
                }

                found.Add((Map(status), Time(Text(item, "last_event_time"))));
            }

            return found.Count switch
            {
                0 => new SendGridRecord.NotFound(),
                _ when found.All(f => f.Status == found[0].Status) => new SendGridRecord.Found(found[0].Status, found.Max(f => f.At)),
                _ => new SendGridRecord.Found(ReceiptStatus.Deferred, null),
            };
        }
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= MaxField } text ? text : null;

    /// <summary>ISO 8601 in UTC (<c>2017-10-13T18:56:21Z</c>), or null.</summary>
    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
}
