using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Contact;

namespace Referrals.Pipeline.Emails;

/// <summary>
/// A request to send one victim's entitlement information by one channel (rulebook 1.1: email, or a text message or
/// letter through GOV.UK Notify; absent means email, as before). It carries no personal data: the sender reads the
/// victim's current state and the latest snapshot when it runs. <see cref="Id"/> is deterministic.
/// </summary>
public sealed record EmailWorkItem(string CrimeReference, string VictimId, long Version, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Channel Channel = Channel.Email)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Id => $"{Channel.ToString().ToLowerInvariant()}:{CrimeReference}:{VictimId}";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static EmailWorkItem? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var item = JsonSerializer.Deserialize<EmailWorkItem>(json, Json);
            return item is { CrimeReference.Length: > 0, VictimId.Length: > 0 } ? item : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
