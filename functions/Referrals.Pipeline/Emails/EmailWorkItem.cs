using System.Text.Json;

namespace Referrals.Pipeline.Emails;

/// <summary>
/// A request to send one victim's entitlement email. It carries no personal data: the sender reads the
/// victim's current state and the latest snapshot when it runs. <see cref="Id"/> is deterministic.
/// </summary>
public sealed record EmailWorkItem(string CrimeReference, string VictimId, long Version)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Id => $"email:{CrimeReference}:{VictimId}";

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
