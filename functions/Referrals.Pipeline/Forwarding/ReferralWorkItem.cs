using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Forwarding;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// A request to deliver one thing to one service (or the Victim Care Unit) for one victim. No personal data:
/// the forwarder reads the victim's current state and the latest snapshot when it runs.
/// </summary>
public sealed record ReferralWorkItem(DeliveryKind Kind, string CrimeReference, string VictimId, string ServiceId, string Month)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Id => DeliveryId.For(Kind, CrimeReference, VictimId, ServiceId);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ReferralWorkItem? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var item = JsonSerializer.Deserialize<ReferralWorkItem>(json, Json);
            return item is { CrimeReference.Length: > 0, VictimId.Length: > 0, ServiceId.Length: > 0, Month.Length: 7 } && Enum.IsDefined(item.Kind) ? item : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
