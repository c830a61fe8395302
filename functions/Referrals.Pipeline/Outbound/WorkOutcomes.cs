using Referrals.Indexes;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.State;
using Referrals.Tallies;

namespace Referrals.Pipeline.Outbound;

/// <summary>
/// One delivery of a work item: its queue and raw text (kept as they are in a dead letter) and what it is about, with
/// the crime and victim as logs show them (<see cref="Logging.LogIds"/>).
/// </summary>
public sealed record WorkMessage(string Queue, string Raw, long DequeueCount, string? CrimeReference = null, string? VictimId = null)
{
    public string? LoggedCrime { get; init; }

    public string? LoggedVictim { get; init; }
}

/// <summary>
/// The one way the message and referral steps record a result (<see cref="OutcomeRule"/>): the settled state is written
/// first, with its tally events in the same transaction, then a Failed or Unconfirmed result is dead-lettered for an
/// operator, and a Retry hands the work item back to the queue, whose visibility timeout is the backoff.
/// </summary>
public sealed class WorkOutcomes(DeadLetterStore deadLetters, VictimStateStore states, PipelineMetrics metrics)
{
    public async Task RecordAsync(WorkMessage message, Settlement settlement, Func<Task> write, (string What, string Prefix, string Done) metric, Action logDeadLetter, string retryLater)
    {
        var (settled, reason) = (settlement.As, settlement.Detail);
        await write();
        if (settled is Settled.Failed or Settled.Unconfirmed)
        {
            await DeadLetterAsync(message, reason!, logDeadLetter, CancellationToken.None);
        }

        metrics.Count(metric.What, metric.Prefix + settled switch
        {
            Settled.Done => metric.Done,
            Settled.Failed => "failed",
            Settled.Unconfirmed => "unconfirmed",
            _ => "deferred",
        });
        if (settled == Settled.Retry)
        {
            throw new RetryLaterException($"{retryLater}: {reason}");
        }
    }

    /// <summary>Keeps a work item that cannot be done as it is, with its reason, for `referrals poison`.</summary>
    public async Task DeadLetterAsync(WorkMessage message, string reason, Action log, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(DeadLetterKind.Poison, message.Queue, message.Raw, reason, message.DequeueCount,
            crimeReference: message.CrimeReference, victimId: message.VictimId, cancellationToken: cancellationToken);
        metrics.Count("deadletter", "poison");
        log();
    }

    public void Count(string what, string detail) => metrics.Count(what, detail);

    /// <summary>Counts a crime's events again (idempotent), with the index entries of what was done, in case a crash came between a change and its events or its index.</summary>
    public Task CountAsync(string crimeReference, IEnumerable<TallyEvent> counted, CancellationToken cancellationToken, IEnumerable<IndexEntry>? indexed = null) =>
        states.CountAsync(crimeReference, counted, cancellationToken, indexed);
}
