using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Forwarding;
using Referrals.Pipeline;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.State;

namespace Referrals.LocalHost;

/// <summary>What a run did, read back from the tables (victims, emails, deliveries, dead letters) and the pipeline's counters.</summary>
public sealed record RunSummary(
    long SnapshotsApplied,
    long SnapshotsStale,
    IReadOnlyList<VictimStateEntity> Victims,
    IReadOnlyList<DeliveryEntity> Deliveries,
    IReadOnlyList<DeadLetterEntity> Rejected,
    IReadOnlyList<DeadLetterEntity> Poison)
{
    public static async Task<RunSummary> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var metrics = services.GetRequiredService<PipelineMetrics>();
        var deadLetters = services.GetRequiredService<DeadLetterStore>();
        return new RunSummary(
            metrics.Total("snapshot:applied"),
            metrics.Total("snapshot:stale"),
            await services.GetRequiredService<VictimStateStore>().AllVictimsAsync(cancellationToken).ToListAsync(cancellationToken),
            await services.GetRequiredService<DeliveryStore>().AllAsync(cancellationToken).ToListAsync(cancellationToken),
            await deadLetters.ListAsync(DeadLetterKind.Rejected, cancellationToken).ToListAsync(cancellationToken),
            await deadLetters.ListAsync(DeadLetterKind.Poison, cancellationToken).ToListAsync(cancellationToken));
    }

    /// <summary>The Victim Care Unit's tasks the run left (rulebook 1.2 section 10): by kind and state, and each one withdrawn as moot.</summary>
    private void WriteTasks(TextWriter output)
    {
        var tasks = Victims.SelectMany(v => v.ToStored().State.Tasks.Tasks.Select(t => (Victim: v, Task: t))).ToList();
        output.WriteLine("Victim Care Unit tasks (`referrals tasks list`; a moot task is withdrawn and the Unit told):");
        foreach (var kind in tasks.GroupBy(t => t.Task.Kind).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            var states = string.Join("  ", kind.GroupBy(t => t.Task.State).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
            output.WriteLine($"  {kind.Key,-22} {states}");
        }

        foreach (var (victim, task) in tasks.Where(t => t.Task.State == Referrals.Tasks.TaskState.Withdrawn).OrderBy(t => t.Victim.CrimeReference, StringComparer.Ordinal))
        {
            output.WriteLine($"  withdrawn: {task.Id} {task.Kind} crime {victim.CrimeReference} victim {victim.VictimId} ({task.WithdrawnBecause})");
        }

        if (tasks.Count == 0)
        {
            output.WriteLine("  none");
        }
    }

    /// <summary>What the services reported (rulebook 1.2 section 11): each referral's current status, by service.</summary>
    private void WriteOutcomes(TextWriter output)
    {
        var reports = Victims.Select(v => v.ToStored().State.Reports).SelectMany(b => b.ByService).ToList();
        output.WriteLine("Services' reports on their referrals (current status of each referral reported on; `referrals outcomes`, docs/outcomes.md):");
        foreach (var service in reports.GroupBy(r => r.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var statuses = service.Select(r => Referrals.Outcomes.ServiceReportRule.Current(r.Value) is { } s ? s == Referrals.Outcomes.ServiceStatus.CouldNotContact ? $"{s}:{Referrals.Outcomes.ServiceReportRule.CurrentReason(r.Value)}" : s.ToString() : "none")
                .GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}"));
            output.WriteLine($"  {service.Key,-9} {string.Join("  ", statuses)}");
        }

        if (reports.Count == 0)
        {
            output.WriteLine("  none");
        }
    }

    public void WriteTo(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"Snapshots processed: {SnapshotsApplied + SnapshotsStale + Rejected.Sum(r => r.Occurrences)} ({SnapshotsApplied} applied, {SnapshotsStale} duplicate or out of date, {Rejected.Sum(r => r.Occurrences)} rejected)"));
        output.WriteLine(string.Create(inv, $"Victims: {Victims.Count}"));
        foreach (var group in Victims.GroupBy(v => v.ReferralStatus).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(inv, $"  {group.Key,-16} {group.Count()}"));
        }

        output.WriteLine(string.Create(inv, $"Entitlement emails sent: {Victims.Count(v => v.EmailSentAt is not null)}"));
        var suppressed = Victims.Where(v => v.EmailStatus == MessageStatus.Suppressed).ToList();
        output.WriteLine(string.Create(inv, $"Entitlement emails suppressed: {suppressed.Count}"));
        foreach (var group in suppressed.GroupBy(v => v.EmailReason).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(inv, $"  {group.Key,-16} {group.Count()}"));
        }

        foreach (var other in Victims.Where(v => v.EmailStatus is not (MessageStatus.Sent or MessageStatus.Suppressed or MessageStatus.Delivered or MessageStatus.Failed)).GroupBy(v => v.EmailStatus))
        {
            output.WriteLine(string.Create(inv, $"Entitlement emails {other.Key}: {other.Count()}"));
        }

        output.WriteLine("Entitlement information by channel (victims per status; a failed channel passes to the next safe one):");
        var channels = new (string Name, Func<VictimStateEntity, string> Status)[]
        {
            ("Email", v => v.EmailStatus.ToString()),
            ("Text", v => v.SmsStatus.ToString()),
            ("Letter", v => v.LetterStatus.ToString()),
        };
        foreach (var (name, status) in channels)
        {
            var used = Victims.Select(status).Where(s => s is not (nameof(MessageStatus.NotNeeded) or nameof(MessageStatus.Suppressed))).GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal);
            var line = string.Join("  ", used.Select(g => string.Create(inv, $"{g.Key} {g.Count()}")));
            output.WriteLine($"  {name,-7} {(line.Length > 0 ? line : "none")}");
        }

        // Rulebook 1.2 section 12 (issue 22): delivered, then failed after all (an asynchronous bounce, a returned letter).
        var afterTheFact = string.Join("  ", channels.Select(c => (c.Name, Count: Victims.Count(v => v.Counted.Contains($"\"{Referrals.Tallies.TallyCategories.InformedThenFailedPrefix}{(c.Name == "Text" ? "Sms" : c.Name)}\"", StringComparison.Ordinal))))
            .Select(c => string.Create(inv, $"{c.Name} {c.Count}")));
        output.WriteLine($"  Informed, then bounced or returned after all (the next safe channel or a ContactNeeded task followed): {afterTheFact}");
        output.WriteLine(string.Create(inv, $"  No safe channel (ContactNeeded task for the Victim Care Unit): {Victims.Count(v => v.VcuTasks.Contains(nameof(DeliveryKind.ContactNeeded), StringComparison.Ordinal))}"));
        output.WriteLine(string.Create(inv, $"  Held (HoldContact) now: {Victims.Count(v => v.Held)}"));

        output.WriteLine("Deliveries to services (referrals, withdrawal notices, Victim Care Unit tasks):");
        foreach (var group in Deliveries.GroupBy(d => (d.Kind, d.ServiceId, d.Status)).OrderBy(g => g.Key.Kind.ToString(), StringComparer.Ordinal).ThenBy(g => g.Key.ServiceId, StringComparer.Ordinal))
        {
            var onTime = group.Count(d => d.OnTime == true);
            output.WriteLine(string.Create(inv, $"  {group.Key.Kind,-22} {group.Key.ServiceId,-9} {group.Key.Status,-10} {group.Count(),3}{(group.Key.Kind == DeliveryKind.Referral && group.Key.Status == DeliveryStatus.Delivered ? $"  ({onTime} on time)" : "")}"));
        }

        WriteOutcomes(output);
        WriteTasks(output);
        output.WriteLine(string.Create(inv, $"Rejected messages: {Rejected.Count}"));
        foreach (var letter in Rejected.OrderBy(r => r.FirstSeenAt))
        {
            output.WriteLine($"  {letter.RowKey}  eventId {letter.EventId ?? "(none)"}: {letter.Reason}");
        }

        if (Poison.Count > 0)
        {
            output.WriteLine(string.Create(inv, $"Poison work items: {Poison.Count} (see `referrals poison`)"));
        }
    }
}
