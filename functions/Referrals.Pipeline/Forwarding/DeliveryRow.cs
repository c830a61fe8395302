using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Referrals.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.State;


namespace Referrals.Pipeline.Forwarding;

/// <summary>One delivery's row, beside the victim rows in the crime's partition: <see cref="DeliveryState"/> as Table Storage holds it.</summary>
public sealed class DeliveryEntity : ITableEntity
{
    public const string RowKeyPrefix = "delivery:";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The deterministic delivery id, sent as the Idempotency-Key.</summary>
    public string Id { get; set; } = string.Empty;

    public DeliveryKind Kind { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public string VictimId { get; set; } = string.Empty;

    public string ServiceId { get; set; } = string.Empty;

    public string Channel { get; set; } = string.Empty;

    public DeliveryStatus Status { get; set; }

    public string? Reason { get; set; }

    /// <summary>yyyy-MM.</summary>
    public string Month { get; set; } = string.Empty;

    /// <summary>yyyy-MM-dd, for a referral.</summary>
    public string? DueBy { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? AttemptedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public bool? OnTime { get; set; }

    public int? HttpStatus { get; set; }

    /// <summary>A Victim Care Unit task's notice or withdrawal notice: the task's opaque id (rulebook 1.2 section 10).</summary>
    public string? TaskId { get; set; }

    /// <summary>A referral: the opaque id the service reports its outcomes by (rulebook 1.2 section 11).</summary>
    public string? PublicId { get; set; }
}

/// <summary>The one mapping between <see cref="DeliveryState"/> and its row.</summary>
public static class DeliveryRow
{
    private const string DateFormat = "yyyy-MM-dd";

    public static Stored<DeliveryState> ToStored(this DeliveryEntity row) => new(new DeliveryState(
        row.Id, row.Kind, row.CrimeReference, row.VictimId, row.ServiceId, row.Channel, row.Status, row.Reason,
        Referrals.Tallies.Month.TryParse(row.Month, out var month) ? month : throw new InvalidOperationException("A delivery row has no month (its key is not logged: it holds the ids)."),
        row.DueBy is null ? null : DateOnly.ParseExact(row.DueBy, DateFormat, CultureInfo.InvariantCulture),
        row.Attempts, row.CreatedAt, row.AttemptedAt, row.DeliveredAt, row.OnTime, row.HttpStatus, row.TaskId, row.PublicId), row.ETag);

    public static DeliveryEntity ToRow(this DeliveryState state, ETag etag) => new()
    {
        PartitionKey = VictimStateStore.PartitionKeyFor(state.CrimeReference),
        RowKey = DeliveryStore.RowKeyFor(state.Kind, state.CrimeReference, state.VictimId, state.ServiceId, state.TaskId),
        ETag = etag,
        Id = state.Id,
        Kind = state.Kind,
        CrimeReference = state.CrimeReference,
        VictimId = state.VictimId,
        ServiceId = state.ServiceId,
        Channel = state.Channel,
        Status = state.Status,
        Reason = state.Reason,
        Month = state.Month.ToString(),
        DueBy = state.DueBy?.ToString(DateFormat, CultureInfo.InvariantCulture),
        Attempts = state.Attempts,
        CreatedAt = state.CreatedAt,
        AttemptedAt = state.AttemptedAt,
        DeliveredAt = state.DeliveredAt,
        OnTime = state.OnTime,
        HttpStatus = state.HttpStatus,
        TaskId = state.TaskId,
        PublicId = state.PublicId,
    };
}
