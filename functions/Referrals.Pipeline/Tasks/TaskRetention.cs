using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.State;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tasks;

/// <summary>
/// A victim's tasks when their personal data goes (docs/privacy.md): an erasure or the retention function withdraws
/// every open task (the Unit is told on the task's channel, held like every notice during a hold) and raises none again;
/// at the end of the audit period the task index forgets the crime's tasks with its rows. Tasks hold no personal data
/// themselves: the name and contacts a task shows are read from the snapshot, which the erasure or purge removes.
/// </summary>
public sealed class TaskRetention(VictimStateStore states, TaskIndex index, IngestHandOff handOff, WorkQueues work, StorageClients clients, IOptions<PipelineOptions> options, TimeProvider time)
{
    private const int MaxAttempts = 5;

    private TableClient States => clients.Tables.GetTableClient(options.Value.VictimStateTable);

    /// <summary>After `referrals erase`: the victim's open tasks withdrawn (Erased). Safe to repeat.</summary>
    public Task ErasedAsync(string crimeReference, string victimId, string operatorName, CancellationToken cancellationToken) =>
        CloseAsync(crimeReference, victimId, TaskWithdrawal.Erased, operatorName, cancellationToken);

    /// <summary>After the retention function emptied the crime's snapshot: its victims' open tasks withdrawn (Purged).</summary>
    public async Task PurgedAsync(string crimeReference, IEnumerable<string> victimIds, CancellationToken cancellationToken)
    {
        foreach (var victimId in victimIds)
        {
            await CloseAsync(crimeReference, victimId, TaskWithdrawal.Purged, "retention function", cancellationToken);
        }
    }

    /// <summary>Before the crime's rows are deleted at the end of the audit period: its tasks' index rows.</summary>
    public async Task ForgetAsync(string crimeReference, CancellationToken cancellationToken)
    {
        var record = await states.LoadAsync(crimeReference, cancellationToken);
        await index.ForgetAsync(record.Victims.Values.SelectMany(v => v.State.Tasks.Tasks), cancellationToken);
    }

    private async Task CloseAsync(string crimeReference, string victimId, TaskWithdrawal reason, string by, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await states.LoadVictimAsync(crimeReference, victimId, cancellationToken) is not { } victim)
            {
                return;
            }

            var now = time.GetUtcNow();
            var next = TaskRule.CloseBook(victim.State, reason, now);
            if (next.Equals(victim.State))
            {
                // Nothing to withdraw: the index is made to agree, and the withdrawal notices are handed on again (an earlier
                // run may have failed to queue them; the forwarder sends each once, whatever is queued).
                await index.SyncAsync((VictimState?)null, victim.State, cancellationToken);
                await NoticesAsync(victim.State, now, cancellationToken);
                return;
            }

            var row = next.ToRow(victim.ETag, victim.Copy);
            var audit = AuditRow.ForOperator(crimeReference, AuditRule.OfOperator(victimId, AuditAction.Task, now, by, null, [.. AuditRule.OfTasks(victim.State, next)]));
            if (await States.TryReplaceWithAsync(row, [audit], cancellationToken))
            {
                try
                {
                    await handOff.HandOnAsync([new VictimChange(victim.State, next, [])], Month.Of(now), cancellationToken);
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or IOException)
                {
                    throw new HandOnFailedException($"the victim's tasks are withdrawn, but the Victim Care Unit could not be told ({HandOnFailedException.Reason(ex)}); run the same command again to tell it", ex);
                }

                return;
            }
        }
    }

    /// <summary>The withdrawal notice of every withdrawn task the Unit may have been sent, and the services' erasure notices (only those: nothing for the victim).</summary>
    private async Task NoticesAsync(VictimState victim, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var planned in WorkPlan.All(victim).Where(p => p.Kind is Referrals.Forwarding.DeliveryKind.TaskWithdrawn or Referrals.Forwarding.DeliveryKind.ErasureNotice))
        {
            await work.EnqueueReferralAsync(new Forwarding.ReferralWorkItem(planned.Kind, victim.CrimeReference, victim.VictimId, planned.ServiceId, Month.Of(now).ToString(), null, planned.TaskId), cancellationToken);
        }
    }
}
