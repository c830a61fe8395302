using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Tasks;
using Referrals.Rendering;
using Referrals.Tallies;
using Referrals.Tasks;

namespace Referrals.Cli;

/// <summary>
/// `referrals tasks list|show|claim|release|close`: the Victim Care Unit's worklist on a storage account (docs/worklist.md).
/// A claim, release or close that the rules refuse (done or withdrawn already, claimed by someone else, an outcome of
/// another kind) changes nothing and exits 3 with one line saying why; so does the loser of two operators acting at once.
/// </summary>
internal static class TasksCommand
{
    /// <summary>The exit code of an action the rules refused: nothing changed (docs/operations.md, exit codes).</summary>
    public const int Refused = 3;

    public static Command Create() => new("tasks", "The Victim Care Unit's tasks (rulebook section 10): list them, show one, claim, release and close it with an outcome. docs/worklist.md says what each task asks and what each outcome does.")
    {
        List(),
        Show(),
        Claim(),
        Release(),
        Close(),
    };

    private static Command List()
    {
        var due = new Option<string?>("--due") { Description = "Only tasks due on this day (Europe/London): 'today' or yyyy-MM-dd." };
        var overdue = new Option<bool>("--overdue") { Description = "Only open or claimed tasks past their due time." };
        var kind = new Option<TaskKind?>("--kind") { Description = "Only tasks of this kind: ConsentRequest, SingleSessionOffer, ContactNeeded or ServiceCouldNotContact." };
        var open = new Option<bool>("--open") { Description = "Every open or claimed task that is work now (the default)." };
        var all = new Option<bool>("--all") { Description = "Every task raised in the month (--month), whatever its state: done with its outcome, withdrawn with the reason, held." };
        var month = new Option<string?>("--month") { Description = "With --all: the month raised, yyyy-MM (Europe/London). Default: this month." };
        var storage = new StorageCommandOptions();
        var command = new Command("list", "List tasks by due time: open ones (default), due on a day, overdue, or all raised in a month. Ids, kinds, states, due times and crime references only; `tasks show ID` shows what a task needs.")
        {
            due,
            overdue,
            kind,
            open,
            all,
            month,
        };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var chosen = new[] { parse.GetValue(due) is not null, parse.GetValue(overdue), parse.GetValue(open), parse.GetValue(all) }.Count(c => c);
            if (chosen > 1)
            {
                await error.WriteLineAsync("referrals tasks list: give at most one of --due, --overdue, --open and --all.");
                return CliApp.UsageError;
            }

            var now = DateTimeOffset.UtcNow;
            DateOnly? day = parse.GetValue(due) is { } dueText ? dueText == "today" ? Calendar.London.DateOf(now) : DateOnly.TryParseExact(dueText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null : null;
            if (parse.GetValue(due) is not null && day is null)
            {
                await error.WriteLineAsync("referrals tasks list: --due takes 'today' or a date yyyy-MM-dd.");
                return CliApp.UsageError;
            }

            var raisedIn = Month.Of(now);
            if (parse.GetValue(month) is { } monthText && !Month.TryParse(monthText, out raisedIn))
            {
                await error.WriteLineAsync("referrals tasks list: --month takes a month yyyy-MM.");
                return CliApp.UsageError;
            }

            return await storage.RunAsync(parse, "No tasks yet: nothing has been stored on this storage.", async services =>
            {
                var index = services.GetRequiredService<TaskIndex>();
                var rows = parse.GetValue(all) ? index.RaisedInAsync(raisedIn, cancellationToken)
                    : parse.GetValue(overdue) ? index.OverdueAsync(now, cancellationToken)
                    : day is { } on ? index.DueOnAsync(on, cancellationToken)
                    : index.OpenAsync(cancellationToken);
                var tasks = await rows.Where(r => parse.GetValue(kind) is not { } k || r.Kind == k).ToListAsync(cancellationToken);
                var output = parse.InvocationConfiguration.Output;
                foreach (var row in tasks.OrderBy(r => r.DueAt ?? DateTimeOffset.MaxValue).ThenBy(r => r.RowKey, StringComparer.Ordinal))
                {
                    await output.WriteLineAsync(Line(row, now));
                }

                await output.WriteLineAsync(tasks.Count == 0 ? "No tasks." : string.Create(CultureInfo.InvariantCulture, $"{tasks.Count} task(s); due times are Europe/London."));
                return 0;
            }, cancellationToken);
        });
        return command;
    }

    private static Command Show()
    {
        var id = Id();
        var format = new Option<string>("--format") { Description = "text (default) or json (what the Unit's API receives).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var storage = new StorageCommandOptions();
        var command = new Command("show", "What a task needs: its kind and what to do, why (codes), the victim's name and only the contacts the latest snapshot marks safe, the officer in the case, the due time, the outcomes it can be closed with, and its history. Never the crime's free text.")
        {
            id,
            format,
        };
        storage.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "No tasks yet: nothing has been stored on this storage.", async services =>
        {
            if (await FoundAsync(parse, id) is not { } taskId)
            {
                return 1;
            }

            if (await services.GetRequiredService<TaskDesk>().ShowAsync(taskId, cancellationToken) is not { } view)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals tasks show: no task {taskId}.");
                return 1;
            }

            await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(format) == "json"
                ? Encoding.UTF8.GetString(view.Document.ToJsonBytes()) + Environment.NewLine
                : view.Document.ToText().Replace("\r\n", "\n", StringComparison.Ordinal));
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Claim() => Action("claim", "Take a task: it is yours until you close or release it. Refused (exit 3) when someone else holds it, or it is done or withdrawn.",
        (desk, taskId, who, _, token) => desk.ClaimAsync(taskId, who, token));

    private static Command Release() => Action("release", "Give back a task you claimed: open again, for anyone. Refused (exit 3) when it is not yours.",
        (desk, taskId, who, _, token) => desk.ReleaseAsync(taskId, who, token));

    private static Command Close()
    {
        var outcome = new Option<TaskOutcome>("--outcome")
        {
            Description = "What happened: ConsentRequest: Consented, Declined or NotReached; SingleSessionOffer: Accepted, Declined or NotReached; ContactNeeded: InformedInPerson or NotReached; ServiceCouldNotContact: DetailsPassedToService, ReachedByUnit or NotReached.",
            Required = true,
        };
        return Action("close", "Close a task with its outcome: done for good. Consented and Declined are the victim's decision and act at once (a referral to every eligible service, or a single-session offer); InformedInPerson counts the victim as informed in person. Refused (exit 3) when it is done or withdrawn already, claimed by someone else, or the outcome is not one of its kind's.",
            (desk, taskId, who, parse, token) => desk.CloseAsync(taskId, parse.GetValue(outcome), who, token), outcome);
    }

    private static Command Action(string name, string description, Func<TaskDesk, string, string, ParseResult, CancellationToken, Task<TaskActionResult>> act, Option? extra = null)
    {
        var id = Id();
        var operatorOption = new OperatorOption();
        var storage = new StorageCommandOptions();
        var command = new Command(name, $"{description} Audited with the operator.") { id };
        if (extra is not null)
        {
            command.Options.Add(extra);
        }

        storage.AddTo(command);
        operatorOption.AddTo(command);
        command.SetAction((parse, cancellationToken) => storage.RunAsync(parse, "No tasks yet: nothing has been stored on this storage.", async services =>
        {
            if (await FoundAsync(parse, id) is not { } taskId)
            {
                return 1;
            }

            var who = await operatorOption.OfAsync(parse, storage, cancellationToken);
            var result = await act(services.GetRequiredService<TaskDesk>(), taskId, who, parse, cancellationToken);
            var (writer, exitCode) = result.Outcome switch
            {
                TaskActionOutcome.Done => (parse.InvocationConfiguration.Output, 0),
                TaskActionOutcome.Refused => (parse.InvocationConfiguration.Error, Refused),
                _ => (parse.InvocationConfiguration.Error, 1),
            };
            await writer.WriteLineAsync(exitCode == 0 ? $"{char.ToUpperInvariant(result.Message[0])}{result.Message[1..]}." : $"referrals tasks {name}: {SafeText.OneLine(result.Message)}; nothing changed.");
            return exitCode;
        }, cancellationToken));
        return command;
    }

    private static Argument<string> Id() => new("ID") { Description = "The task's id, e.g. T2610-7KQ3-M9XD (from `referrals tasks list`)." };

    /// <summary>The task id typed, in its stored form; null (with one line, exit 1) when it is not a task id at all.</summary>
    private static async Task<string?> FoundAsync(ParseResult parse, Argument<string> id)
    {
        var typed = parse.GetValue(id);
        if (TaskIds.Normalise(typed) is { } taskId)
        {
            return taskId;
        }

        await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals tasks {parse.CommandResult.Command.Name}: no task {SafeText.OneLine(typed)} (a task id looks like T2610-7KQ3-M9XD).");
        return null;
    }

    private static string Line(TaskIndexEntity row, DateTimeOffset now)
    {
        var task = row.ToTask();
        var state = task.State switch
        {
            TaskState.Claimed => $"Claimed by {SafeText.OneLine(task.ClaimedBy)}",
            TaskState.Done => $"Done: {task.Outcome}",
            TaskState.Withdrawn => $"Withdrawn: {task.WithdrawnBecause}",
            _ => "Open",
        };
        var due = task.DueAt is { } at ? $"due {TaskNotice.Local(at)}" : "not work until the hold is lifted";
        var marks = string.Join(' ', new[] { task.IsOverdue(now) ? "OVERDUE" : null, row.Held && task.IsOpen ? "HELD" : null }.OfType<string>());
        return $"{task.Id}  {task.Kind,-22} {state,-30} {due,-26} {marks,-12} crime {SafeText.OneLine(row.CrimeReference)} victim {SafeText.OneLine(row.VictimId)}{(task.ServiceId is { } service ? $" service {SafeText.OneLine(service)}" : string.Empty)}";
    }
}
