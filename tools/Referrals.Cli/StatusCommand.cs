using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Deadlines;
using Referrals.Health;
using Referrals.Pipeline.Status;
using Referrals.Pipeline.Storage;
using Referrals.Rendering;

namespace Referrals.Cli;

/// <summary>
/// `referrals status`: the operators' view at a glance (issue 29, docs/operations.md): the timers and the records
/// system as the health endpoint judges them, queue backlogs, dead letters, referrals at risk and late, tasks open and
/// overdue, and whether outbound sending is paused. Exit 0 healthy, 3 when something needs an operator (each problem
/// listed), 1 when storage cannot be read. Reads only, each query bounded by partition.
/// </summary>
internal static class StatusCommand
{
    /// <summary>The exit code of a pipeline that needs an operator (README's exit codes).</summary>
    public const int NeedsAttention = 3;

    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var command = new Command("status",
            "Show at a glance whether the pipeline is healthy: the last snapshot received, each timer's last run and whether it is late, queue backlogs "
            + "(poison queues included), dead letters by kind, referrals at risk and late, tasks open and overdue, and whether outbound sending is paused. "
            + "Exit 0 healthy, 3 when something is late or failing (each problem listed), 1 when storage cannot be read.");
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "Nothing stored yet.", async services =>
        {
            var requests = services.GetRequiredService<StorageRequestCount>();
            var before = requests.Count;
            var report = await services.GetRequiredService<OperationsStatus>().ReadAsync(pausedNow: null, schedulesFromRows: true, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            foreach (var line in Lines(report))
            {
                await output.WriteLineAsync(line);
            }

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Read with {requests.Count - before} storage requests."));
            return report.Healthy ? 0 : NeedsAttention;
        }, cancellationToken));
        return command;
    }

    /// <summary>The report as an operator reads it; every stored value on one line of its own (<see cref="SafeText.OneLine"/>).</summary>
    public static IEnumerable<string> Lines(OperationsReport report)
    {
        var figures = report.Figures;
        yield return $"Referrals pipeline at {HealthRule.Time(report.At)}: {(report.Healthy ? "healthy" : $"NEEDS ATTENTION ({report.Problems.Count} problem(s))")}";
        foreach (var problem in report.Problems)
        {
            yield return $"  ! {SafeText.OneLine(problem)}";
        }

        yield return "Timers and the records system:";
        foreach (var check in figures.Health)
        {
            yield return $"  {(check.Healthy ? "ok  " : "LATE")} {SafeText.OneLine(check.Name)}: {SafeText.OneLine(check.Detail)}";
        }

        yield return "Queues (messages waiting): " + string.Join(", ", figures.Queues.Select(q => string.Create(CultureInfo.InvariantCulture, $"{q.Key} {q.Value}")));
        yield return "Dead letters: " + string.Join(", ", figures.DeadLetters.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key} {d.Value}")));
        yield return string.Create(CultureInfo.InvariantCulture, $"Referrals: {figures.ReferralsAtRisk} at risk, {figures.ReferralsLate} late");
        foreach (var referral in report.Referrals)
        {
            var noticed = referral.NoticedAt is { } at ? $"; noticed {HealthRule.Time(at)}" : "; notice not given yet";
            yield return $"  {(referral.Standing == DeadlineStanding.Late ? "late   " : "at risk")} due {referral.DueBy:yyyy-MM-dd}  crime {SafeText.OneLine(referral.CrimeReference)}  victim {SafeText.OneLine(referral.VictimId)}  service {SafeText.OneLine(referral.ServiceId)}: {referral.Reason}{noticed}";
        }

        yield return string.Create(CultureInfo.InvariantCulture, $"Tasks: {figures.TasksOpen} open, {figures.TasksOverdue} overdue");
        yield return figures.OutboundPaused switch
        {
            true => $"Outbound sending: PAUSED (Outbound__Paused, as the app said at {Said(report.OutboundReportedAt)})",
            false => $"Outbound sending: on (as the app said at {Said(report.OutboundReportedAt)})",
            null => "Outbound sending: not known yet (the app says it each time WatchReferralDeadlines runs)",
        };
    }

    private static string Said(DateTimeOffset? at) => at is { } time ? HealthRule.Time(time) : "an unknown time";
}
