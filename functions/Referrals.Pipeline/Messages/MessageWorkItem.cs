using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Contact;
using Referrals.Pipeline.Outbound;

namespace Referrals.Pipeline.Messages;

/// <summary>
/// A request to send one victim's entitlement message on one channel (email, text message or letter). It carries no
/// personal data: the sender reads the victim's current state and the latest snapshot when it runs. <see cref="Id"/>
/// is deterministic. The JSON is the one the email step's work items always had (<c>channel</c> absent means email),
/// so work items and dead letters written before the messages queue read the same.
/// </summary>
public sealed record MessageWorkItem(string CrimeReference, string VictimId, long Version, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Channel Channel = Channel.Email) : IVictimWorkItem
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Id => $"{Channel.ToString().ToLowerInvariant()}:{CrimeReference}:{VictimId}";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MessageWorkItem? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var item = JsonSerializer.Deserialize<MessageWorkItem>(json, Json);
            return item is { CrimeReference.Length: > 0, VictimId.Length: > 0 } ? item : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
