using System.Globalization;
using System.Text.Json;
using Referrals.Contract;

namespace Referrals.Tallies;

/// <summary>
/// The month a rejected message counts in: the Europe/London month of its <c>sentAt</c> when that can be read (an ISO
/// 8601 instant with an offset, within the contract's dates, on a JSON object), else the month it arrived; so a month's
/// rejections sit beside the snapshots sent in it. Never throws, whatever the message holds.
/// </summary>
public static class RejectedMonth
{
    public static Month Of(string message, DateTimeOffset arrivedAt) => Of(System.Text.Encoding.UTF8.GetBytes(message), arrivedAt);

    /// <param name="utf8">The message as it was sent (decoded from the queue's Base64).</param>
    public static Month Of(byte[] utf8, DateTimeOffset arrivedAt) => SentAt(utf8) is { } sentAt ? Month.Of(sentAt) : Month.Of(arrivedAt);

    public static DateTimeOffset? SentAt(byte[] utf8)
    {
        if (utf8.Length > ContractLimits.MaxMessageBytes)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(utf8);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("sentAt", out var value)
                && value.ValueKind == JsonValueKind.String
                && value.GetString() is { } text
                && CrimeEventParser.IsoInstant().IsMatch(text)
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
                && instant >= ContractLimits.EarliestInstant && instant <= ContractLimits.LatestInstant
                    ? instant
                    : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // Not JSON, or not UTF-8: the month it arrived.
            return null;
        }
    }
}
