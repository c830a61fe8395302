using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Referrals.Forwarding;
using Referrals.Rules;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Storage;

/// <summary>A victim's row, one per victim in the crime's partition: <see cref="VictimState"/> as Table Storage holds it.</summary>
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

    public Pathway Pathway { get; set; }

    public ReferralOutcome Referral { get; set; }

    public ReferralStatus ReferralStatus { get; set; }

    /// <summary>JSON array of service ids.</summary>
    public string ReferredServices { get; set; } = "[]";

    /// <summary>JSON array of service ids.</summary>
    public string EligibleServices { get; set; } = "[]";

    public bool SingleSessionOffer { get; set; }

    public bool EnhancedRights { get; set; }

    public bool Child { get; set; }

    /// <summary>yyyy-MM-dd.</summary>
    public string ReferralDueBy { get; set; } = string.Empty;

    /// <summary>The crime's recorded date (Europe/London), yyyy-MM-dd; absent from a row written before it was kept.</summary>
    public string? RecordedOn { get; set; }

    public MessageStatus EmailStatus { get; set; }

    /// <summary>The email's reason as a person reads it: its detail, else the reason's name (<see cref="VictimRow"/>).</summary>
    public string? EmailReason { get; set; }

    public EmailRecipient? EmailRecipient { get; set; }

    public DateTimeOffset? EmailQueuedAt { get; set; }

    public DateTimeOffset? EmailAttemptedAt { get; set; }

    public DateTimeOffset? EmailSentAt { get; set; }

    /// <summary>SendGrid's id of the latest send.</summary>
    public string? EmailMessageId { get; set; }

    /// <summary>The email's sends so far; absent (0) from a row written before it was kept.</summary>
    public int EmailAttempts { get; set; }

    /// <summary>yyyy-MM.</summary>
    public string? EmailMonth { get; set; }

    /// <summary>Sends again after an unknown outcome settled as not accepted (rulebook 1.2 section 6); absent (0) before it was kept.</summary>
    public int EmailResends { get; set; }

    public DateTimeOffset? EmailDeliveredAt { get; set; }

    /// <summary>JSON array of the contact plan's lines (channel and reason), rulebook 1.1; empty for a row from before it.</summary>
    public string ContactPlan { get; set; } = "[]";

    public EmailRecipient? ContactRecipient { get; set; }

    /// <summary>The crime carries HoldContact: nothing is sent for this victim.</summary>
    public bool Held { get; set; }

    public MessageStatus SmsStatus { get; set; }

    /// <summary>JSON of the rest of the text message's <see cref="MessageState"/>.</summary>
    public string Sms { get; set; } = "{}";

    public MessageStatus LetterStatus { get; set; }

    /// <summary>JSON of the rest of the letter's <see cref="MessageState"/>.</summary>
    public string Letter { get; set; } = "{}";

    /// <summary>JSON array of <see cref="DeliveryKind"/> names.</summary>
    public string VcuTasks { get; set; } = "[]";

    /// <summary>JSON object: tally category → yyyy-MM.</summary>
    public string Counted { get; set; } = "{}";

    /// <summary>JSON of the victim's Victim Care Unit tasks (<see cref="Tasks.TaskBook"/>): ids, codes, times and operator names, no personal data; absent in a row written before tasks had a lifecycle.</summary>
    public string? Tasks { get; set; }

    /// <summary>JSON of the decision about referral in force (<see cref="Tasks.ConsentInForce"/>); absent in a row written before it was kept.</summary>
    public string? Consent { get; set; }

    /// <summary>JSON of what the referred services reported (<see cref="Referrals.Outcomes.OutcomeBook"/>): service ids, status codes and times; absent before any report.</summary>
    public string? Outcomes { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public SnapshotSource SnapshotSource { get; set; }

    /// <summary>The victim's copy of the crime's latest snapshot (UTF-8 JSON, at most 64 KiB) when <see cref="SnapshotSource"/> says so.</summary>
    public byte[]? Snapshot { get; set; }
}

/// <summary>
/// The one mapping between <see cref="VictimState"/> and its row. The email's state is in columns, each text message's
/// and letter's status in a column and the rest in JSON; a message's reason is stored as a person reads it (its detail,
/// else the reason's name) and read back to the same <see cref="MessageReason"/> (<see cref="ReasonOf"/>), so rows
/// written before the reasons were typed read as they always did.
/// </summary>
public static class VictimRow
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static Stored<VictimState> ToStored(this VictimStateEntity row) => new(new VictimState(
        row.CrimeReference, row.VictimId, row.FirstSeenVersion, row.Version, row.Pathway, row.Referral, row.ReferralStatus,
        Set<string>(row.ReferredServices), Set<string>(row.EligibleServices), row.SingleSessionOffer, row.EnhancedRights, row.Child,
        DateOnly.ParseExact(row.ReferralDueBy, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Set<DeliveryKind>(row.VcuTasks),
        (JsonSerializer.Deserialize<Dictionary<string, string>>(row.Counted, JsonOptions) ?? [])
            .Where(e => Month.TryParse(e.Value, out _)).ToImmutableSortedDictionary(e => e.Key, e => Month.TryParse(e.Value, out var m) ? m : default, StringComparer.Ordinal),
        row.UpdatedAt,
        new ContactState([.. JsonSerializer.Deserialize<PlanLine[]>(row.ContactPlan, JsonOptions) ?? []], row.ContactRecipient, Email(row), Message(row.SmsStatus, row.Sms), Message(row.LetterStatus, row.Letter), row.Held),
        DateOnly.TryParseExact(row.RecordedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var recordedOn) ? recordedOn : null,
        row.Tasks is { Length: > 0 } tasks ? JsonSerializer.Deserialize<Referrals.Tasks.TaskBook>(tasks, JsonOptions) : null,
        row.Consent is { Length: > 0 } consent ? JsonSerializer.Deserialize<Referrals.Tasks.ConsentInForce>(consent, JsonOptions) : null,
        row.Outcomes is { Length: > 0 } outcomes ? JsonSerializer.Deserialize<Referrals.Outcomes.OutcomeBook>(outcomes, JsonOptions) : null), row.ETag, new SnapshotCopy(row.SnapshotSource, row.SnapshotSource == SnapshotSource.VictimRow ? row.Snapshot ?? [] : []));

    /// <summary>The row of a state and its copy of the snapshot (the one it was read with, unless ingest brings a new one).</summary>
    public static VictimStateEntity ToRow(this VictimState state, ETag etag, SnapshotCopy? copy) => new()
    {
        PartitionKey = VictimStateStore.PartitionKeyFor(state.CrimeReference),
        RowKey = VictimStateStore.RowKeyFor(state.CrimeReference, state.VictimId),
        ETag = etag,
        CrimeReference = state.CrimeReference,
        VictimId = state.VictimId,
        FirstSeenVersion = state.FirstSeenVersion,
        Version = state.Version,
        Pathway = state.Pathway,
        Referral = state.Referral,
        ReferralStatus = state.ReferralStatus,
        ReferredServices = JsonSerializer.Serialize(state.ReferredServices, JsonOptions),
        EligibleServices = JsonSerializer.Serialize(state.EligibleServices, JsonOptions),
        SingleSessionOffer = state.SingleSessionOffer,
        EnhancedRights = state.EnhancedRights,
        Child = state.Child,
        ReferralDueBy = state.ReferralDueBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        RecordedOn = state.RecordedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        EmailStatus = state.Contact.Email.Status,
        EmailReason = state.Contact.Email.ReasonText,
        EmailRecipient = state.Contact.Email.Recipient,
        EmailQueuedAt = state.Contact.Email.QueuedAt,
        EmailAttemptedAt = state.Contact.Email.AttemptedAt,
        EmailSentAt = state.Contact.Email.SentAt,
        EmailMessageId = state.Contact.Email.ProviderId,
        EmailAttempts = state.Contact.Email.Attempts,
        EmailResends = state.Contact.Email.Resends,
        EmailMonth = state.Contact.Email.Month?.ToString(),
        EmailDeliveredAt = state.Contact.Email.DeliveredAt,
        ContactPlan = JsonSerializer.Serialize(state.Contact.Plan, JsonOptions),
        ContactRecipient = state.Contact.Recipient,
        Held = state.Contact.Held,
        SmsStatus = state.Contact.Sms.Status,
        Sms = Json(state.Contact.Sms),
        LetterStatus = state.Contact.Letter.Status,
        Letter = Json(state.Contact.Letter),
        VcuTasks = JsonSerializer.Serialize(state.VcuTasks, JsonOptions),
        Counted = JsonSerializer.Serialize(state.Counted.ToDictionary(e => e.Key, e => e.Value.ToString()), JsonOptions),
        Tasks = state.TaskBook is { } book ? JsonSerializer.Serialize(book, JsonOptions) : null,
        Consent = state.Consent is { } decision ? JsonSerializer.Serialize(decision, JsonOptions) : null,
        Outcomes = state.Outcomes is { } reported ? JsonSerializer.Serialize(reported, JsonOptions) : null,
        UpdatedAt = state.UpdatedAt,
        SnapshotSource = (copy ?? SnapshotCopy.OnCrimeRow).Source,
        Snapshot = copy is { Source: SnapshotSource.VictimRow, Payload: var payload } ? payload : null,
    };

    /// <summary>
    /// A stored reason read back: a reason's name is that reason; any other text is the detail of the reason that gives
    /// such words (the pipeline's own for retries, technical failures and receipts; a provider's refusal on a failed
    /// message; what to check on an unconfirmed one).
    /// </summary>
    public static (MessageReason? Reason, string? Detail) ReasonOf(MessageStatus status, string? text)
    {
        if (text is null)
        {
            return (null, null);
        }

        if (Enum.TryParse<MessageReason>(text, out var named) && named.ToString() == text)
        {
            return (named, null);
        }

        MessageReason? reason = text switch
        {
            _ when text.StartsWith("retries exhausted", StringComparison.Ordinal) => MessageReason.RetriesExhausted,
            _ when text.StartsWith("Notify reported a technical failure", StringComparison.Ordinal) => MessageReason.TechnicalFailure,
            _ when text.StartsWith("the provider reported", StringComparison.Ordinal) => MessageReason.ReportedFailed,
            _ when text.StartsWith(UnknownRule.UnsettledPrefix, StringComparison.Ordinal) => MessageReason.Unsettled,
            _ when status == MessageStatus.Unconfirmed => MessageReason.OutcomeUnknown,
            _ when status == MessageStatus.Failed => MessageReason.Refused,
            _ => null,
        };
        return (reason, text);
    }

    private static MessageState Email(VictimStateEntity row)
    {
        var (reason, detail) = ReasonOf(row.EmailStatus, row.EmailReason);
        return new MessageState(row.EmailStatus, reason, detail, row.EmailRecipient, row.EmailQueuedAt, row.EmailAttemptedAt, row.EmailSentAt, row.EmailDeliveredAt,
            row.EmailMessageId, Month.TryParse(row.EmailMonth, out var month) ? month : null, row.EmailAttempts, row.EmailResends);
    }

    /// <summary>The status is its own column (for queries and operators); the rest of the message is JSON.</summary>
    private static MessageState Message(MessageStatus status, string json)
    {
        if (JsonSerializer.Deserialize<MessageColumns>(json, JsonOptions) is not { } m)
        {
            return MessageState.NotNeeded with { Status = status };
        }

        var (reason, detail) = ReasonOf(status, m.Reason);
        return new MessageState(status, reason, detail, m.Recipient, m.QueuedAt, m.AttemptedAt, m.SentAt, m.DeliveredAt, m.NotificationId,
            Month.TryParse(m.Month, out var month) ? month : null, m.Attempts, m.Resends);
    }

    private static string Json(MessageState m) => JsonSerializer.Serialize(
        new MessageColumns(m.ReasonText, m.Recipient, m.QueuedAt, m.AttemptedAt, m.SentAt, m.DeliveredAt, m.ProviderId, m.Month?.ToString(), m.Attempts, m.Resends), JsonOptions);

    private sealed record MessageColumns(
        string? Reason, EmailRecipient? Recipient, DateTimeOffset? QueuedAt, DateTimeOffset? AttemptedAt, DateTimeOffset? SentAt,
        DateTimeOffset? DeliveredAt, string? NotificationId, string? Month, int Attempts,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] int Resends = 0);

    private static ImmutableSortedSet<T> Set<T>(string json) => [.. JsonSerializer.Deserialize<T[]>(json, JsonOptions) ?? []];
}
