using System.Text.Json;
using System.Text.Json.Serialization;
using Referrals.Forwarding;
using Referrals.State;

namespace Referrals.Pipeline.Forwarding;

/// <summary>
/// A request to deliver one thing to one service (or the Victim Care Unit) for one victim, with the month it counts
/// in and a referral's due date. No personal data: the forwarder reads the victim's current state and the latest
/// snapshot when it runs. A Victim Care Unit task's notice names its task (an opaque id). A referral a snapshot handed on
/// carries the self-locating public id the ingest indexed for it (<see cref="Outcomes.ReferralIdKeys"/>).
/// </summary>
public sealed record ReferralWorkItem(DeliveryKind Kind, string CrimeReference, string VictimId, string ServiceId, string Month, DateOnly? DueBy = null, string? TaskId = null, string? PublicId = null) : Outbound.IVictimWorkItem
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string Id => DeliveryId.For(Kind, CrimeReference, VictimId, ServiceId, TaskId);

    /// <summary>The delivery's state when its first work item creates its row (a referral with its indexed public id, or a new random one: a repeat keeps the stored one).</summary>
    public DeliveryState Pending(string channel, DateTimeOffset now) =>
        new(Id, Kind, CrimeReference, VictimId, ServiceId, channel, DeliveryStatus.Pending, null,
            Referrals.Tallies.Month.TryParse(Month, out var month) ? month : throw new InvalidOperationException("a work item's month is checked when it is parsed"),
            Kind == DeliveryKind.Referral ? DueBy : null, 0, now, TaskId: TaskId,
            PublicId: Kind == DeliveryKind.Referral ? PublicId ?? PublicReferralIds.New() : null);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ReferralWorkItem? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var item = JsonSerializer.Deserialize<ReferralWorkItem>(json, Json);
            return item is { CrimeReference.Length: > 0, VictimId.Length: > 0, ServiceId.Length: > 0, Month.Length: 7 } && Referrals.Tallies.Month.TryParse(item!.Month, out _) && Enum.IsDefined(item.Kind)
                && (item.TaskId is null ? item.Kind != DeliveryKind.TaskWithdrawn : Referrals.Tasks.TaskIds.Normalise(item.TaskId) == item.TaskId)
                && (item.PublicId is null || (item.Kind == DeliveryKind.Referral && PublicReferralIds.Normalise(item.PublicId) == item.PublicId))
                ? item
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
