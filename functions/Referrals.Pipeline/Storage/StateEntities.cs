using Azure;
using Azure.Data.Tables;

namespace Referrals.Pipeline.Storage;

/// <summary>The last snapshot processed for a crime: one row per crime, RowKey "crime@&lt;partition&gt;", in the crime's partition.</summary>
public sealed class CrimeStateEntity : ITableEntity
{
    public const string RowKeyPrefix = "crime@";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public long Version { get; set; }

    public string EventId { get; set; } = string.Empty;

    public DateTimeOffset SentAt { get; set; }

    public string OffenceCode { get; set; } = string.Empty;

    /// <summary>The snapshot as received (UTF-8 JSON, at most 64 KiB): the email step composes from it.</summary>
    public byte[] Snapshot { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What the pipeline knows and has done for one victim: one row per victim in the crime's partition.</summary>
public sealed class VictimStateEntity : ITableEntity
{
    public const string RowKeyPrefix = "victim:";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string CrimeReference { get; set; } = string.Empty;

    public string VictimId { get; set; } = string.Empty;

    public long FirstSeenVersion { get; set; }

    public long Version { get; set; }

    public string Pathway { get; set; } = string.Empty;

    /// <summary>This version's decision (rulebook section 3).</summary>
    public string Referral { get; set; } = string.Empty;

    /// <summary>The decision in the light of history: adds ConvertedToYes and Withdrawn.</summary>
    public string ReferralStatus { get; set; } = string.Empty;

    /// <summary>Every service this victim has been referred to, ever (comma-separated ids).</summary>
    public string ReferredServices { get; set; } = string.Empty;

    public string EligibleServices { get; set; } = string.Empty;

    public bool SingleSessionOffer { get; set; }

    public bool EnhancedRights { get; set; }

    public bool Child { get; set; }

    public string ReferralDueBy { get; set; } = string.Empty;

    public string EmailStatus { get; set; } = string.Empty;

    /// <summary>Why no email was sent (a suppression reason) or why sending failed.</summary>
    public string? EmailReason { get; set; }

    public string? EmailRecipient { get; set; }

    public DateTimeOffset? EmailQueuedAt { get; set; }

    public DateTimeOffset? EmailAttemptedAt { get; set; }

    public DateTimeOffset? EmailSentAt { get; set; }

    public string? EmailMessageId { get; set; }

    /// <summary>The Europe/London month (yyyy-MM) of the snapshot that queued the email: the month an email sent counts in.</summary>
    public string? EmailMonth { get; set; }

    /// <summary>Victim Care Unit tasks raised, ever (comma-separated <see cref="Forwarding.DeliveryKind"/> names).</summary>
    public string VcuTasks { get; set; } = string.Empty;

    /// <summary>
    /// Every tally event this victim has given, as "category@yyyy-MM" (comma-separated): committed with the state
    /// that caused it, so a crash before the event rows are written loses nothing (a redelivery writes them).
    /// </summary>
    public string Counted { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One delivery (referral, withdrawal or Victim Care Unit task) to one service, in the crime's partition.</summary>
public sealed class DeliveryEntity : ITableEntity
{
    public const string RowKeyPrefix = "delivery:";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The deterministic delivery id, sent as the Idempotency-Key.</summary>
    public string Id { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public string CrimeReference { get; set; } = string.Empty;

    public string VictimId { get; set; } = string.Empty;

    public string ServiceId { get; set; } = string.Empty;

    public string Channel { get; set; } = string.Empty;

    /// <summary>Pending, Sending, Delivered, Failed, Cancelled or Unconfirmed.</summary>
    public string Status { get; set; } = string.Empty;

    public string? Reason { get; set; }

    /// <summary>The Europe/London month (yyyy-MM) the delivery counts in: that of the snapshot that asked for it.</summary>
    public string Month { get; set; } = string.Empty;

    public string? DueBy { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? AttemptedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public bool? OnTime { get; set; }

    public int? HttpStatus { get; set; }
}
