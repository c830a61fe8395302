using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.LocalHost;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Rules;
using Referrals.Tallies;

namespace Referrals.Cli;

/// <summary>`referrals run`: the whole pipeline locally, end to end, on Azurite, with a loopback SendGrid.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var samples = new Option<FileInfo>("--send")
        {
            Description = "JSON Lines snapshots to put on the crime-events queue, each line byte for byte. Default: the bundled samples.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl")),
        };
        var outbox = new Option<DirectoryInfo>("--outbox")
        {
            Description = "Folder for the emails the local SendGrid endpoint receives, one .eml each. It must be new, empty, or an outbox "
                + "of an earlier run (it holds a .referrals-outbox file, the list of files that run wrote): a run deletes only those files, "
                + "and leaves anything else in the folder alone.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "outbox")),
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the queues to empty.",
            DefaultValueFactory = _ => 120,
        };
        var storage = new Option<string?>("--storage")
        {
            Description = "Run on this storage account (a connection string, e.g. UseDevelopmentStorage=true for `referrals azurite`) "
                + "instead of a throw-away Azurite, and keep what the run stored there, to practise `referrals rejected`, `poison`, "
                + "`replay` and `tallies` afterwards. The summary then counts everything in that account, earlier runs included.",
        };
        var verbose = new Option<bool>("--verbose")
        {
            Description = "Show the host's log lines (Information and above) on standard error.",
        };
        var serve = new Option<bool>("--serve")
        {
            Description = "After the run, keep the local host, the tallies endpoint, the OPCC's dashboard and the Victim Care Unit's worklist up on loopback (the addresses are printed) until Ctrl-C.",
        };

        var command = new Command("run",
            """
            Run the pipeline locally, end to end: install Azurite from npm if needed and start it on loopback, start
            a SendGrid-compatible endpoint on loopback (emails go to the outbox folder), host the same queue and timer
            triggers as the Functions app with the WebJobs SDK, send the snapshots, wait until they are processed,
            forward referrals to loopback stand-ins of the services' APIs and mailboxes, count the month's tallies,
            print a summary and the tallies, and stop everything (also on Ctrl-C or SIGTERM; if the run is killed,
            Azurite ends with it, and its temporary data is removed by the next run). Needs the .NET SDK and Node.js; no Azure.
            Exit code: 0 when every message was processed, 1 when not (or the run could not start), 2 for a command-line mistake.
            """)
        {
            samples,
            outbox,
            timeout,
            storage,
            verbose,
            serve,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var options = new RunOptions(parse.GetValue(samples)!, parse.GetValue(outbox)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(storage), parse.GetValue(verbose) ? error : null, parse.GetValue(serve));
                return await RunAsync(options, parse.InvocationConfiguration.Output, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                await error.WriteLineAsync($"referrals run: {ex.Message.Split('\n', 2)[0].Trim()}");
                return 1;
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
            {
                await error.WriteLineAsync($"referrals run: storage failed ({ex.GetType().Name}: {ex.Message.Split('\n', 2)[0].Trim()}); is --storage right and the account reachable?");
                return 1;
            }
            catch (OperationCanceledException)
            {
                await error.WriteLineAsync("referrals run: stopped; Azurite and the local host were shut down.");
                return 130;
            }
        });
        return command;
    }

    private sealed record RunOptions(FileInfo Samples, DirectoryInfo Outbox, TimeSpan Timeout, string? Storage, TextWriter? Log, bool Serve);

    private static async Task<int> RunAsync(RunOptions run, TextWriter output, CancellationToken cancellationToken)
    {
        var samples = run.Samples;
        if (!samples.Exists)
        {
            throw new InvalidOperationException($"{samples.FullName} was not found.");
        }

        List<ExactLine> lines;
        await using (var input = samples.OpenRead())
        {
            lines = await SnapshotSender.ReadAsync(input, cancellationToken);
        }

        // A storage account that cannot be used is found out here, in one line, before anything starts on it.
        if (run.Storage is not null && await StorageProbe.ProblemAsync(run.Storage, cancellationToken) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        using var outbox = Outbox.Claim(run.Outbox.FullName);
        Azurite? azurite = null;
        if (run.Storage is null)
        {
            await output.WriteLineAsync("Starting Azurite on loopback…");
            azurite = await Azurite.StartAsync(message => output.WriteLine(message), cancellationToken);
        }

        await using var stopAzurite = azurite;
        var connection = run.Storage ?? azurite!.ConnectionString;
        await using var sendGrid = await LocalSendGrid.StartAsync(outbox);
        await using var notify = await LocalNotify.StartAsync(outbox);
        await using var partners = await LocalServices.StartAsync(outbox);
        var directory = LocalServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName), partners.Url, outbox.Record(Path.Combine(outbox.Path, Outbox.DirectoryFile)));
        // A token for this run only: the local Notify stand-in calls back with it, and the callback endpoint checks it.
        var notifyCallbackToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var settings = LocalSettings.For(connection, sendGrid.Url, directory, sendGridWebhookKey: sendGrid.WebhookPublicKey, notifyCallbackToken: notifyCallbackToken, notifyBaseUrl: notify.Url);

        // The services' stand-in reports outcomes signed with a secret of this run only (docs/outcomes.md).
        var outcomeSecrets = LocalOutcomes.Secrets(directory);
        LocalOutcomes.AddTo(settings, outcomeSecrets);

        // The status timer asks Notify about a message as soon as it runs (Azure waits an hour): letters get no callback.
        settings["Notify:StatusCheckAfter"] = "00:00:00";
        var host = LocalPipelineHost.Build(settings, configureLogging: run.Log is { } log ? logging => logging.AddProvider(new StandardErrorLoggerProvider(log)) : null);
        await using var shutdown = new HostShutdown(host, cancellationToken);
        await host.StartAsync(cancellationToken);
        shutdown.Started = true;
        await using var talliesEndpoint = await new LocalTalliesServer(
            host.Services.GetRequiredService<TalliesEndpoint>(), host.Services.GetRequiredService<DashboardEndpoint>(), host.Services.GetRequiredService<HealthEndpoint>(),
            host.Services.GetRequiredService<Referrals.Pipeline.Worklist.WorklistEndpoint>()).StartAsync();
        await using var webhooks = await new LocalReceiptsServer(host.Services.GetRequiredService<SendGridWebhookEndpoint>(), host.Services.GetRequiredService<NotifyCallbackEndpoint>(),
            host.Services.GetRequiredService<NotifyReturnedLetterEndpoint>(), host.Services.GetRequiredService<Referrals.Pipeline.Outcomes.OutcomeEndpoint>()).StartAsync();
        using var outcomeClient = new HttpClient();

        // Receipts reach the pipeline only as the providers send them: over HTTP, to the webhook endpoints.
        sendGrid.PostEventsTo(webhooks.SendGridWebhookUrl);
        notify.SendCallbacksTo(webhooks.NotifyCallbackUrl, notifyCallbackToken, webhooks.NotifyReturnedLetterUrl);
        try
        {
            var services = host.Services;
            var clients = services.GetRequiredService<StorageClients>();
            var options = services.GetRequiredService<IOptions<PipelineOptions>>().Value;
            var queue = clients.Queues.GetQueueClient(options.CrimeEventsQueue);
            var waves = SnapshotSender.Waves(lines);
            var idle = true;
            Task<bool> Idle() => PipelineProbe.WaitUntilIdleAsync(clients, options, run.Timeout, cancellationToken);
            foreach (var (wave, index) in waves.Select((w, i) => (w, i + 1)))
            {
                var (sent, failures) = await SnapshotSender.SendAsync(queue, wave, cancellationToken);
                await output.WriteLineAsync($"Sent {sent} snapshot{(sent == 1 ? "" : "s")} from {samples.Name} to the {options.CrimeEventsQueue} queue (wave {index} of {waves.Count}: a crime's later snapshots wait for its earlier ones).");
                failures.ForEach(failure => output.WriteLine($"  not sent: {failure}"));
                idle &= await Idle();

                // Receipts come after the messages, and a failure passes the information to the next channel.
                idle &= await LocalReceiptsSettle.UntilQuietAsync(sendGrid, notify, Idle, run.Timeout);

                // The services report what happened to the referrals they received, by the outcome API, as real ones would.
                if (await partners.Outcomes.ReportAsync(webhooks.OutcomesUrl, s => outcomeSecrets.GetValueOrDefault(s), outcomeClient, cancellationToken) > 0)
                {
                    idle &= await Idle();
                }
            }

            // Letters get no callback from Notify: the status timer asks about them once the print run is over.
            await notify.SettleAsync(run.Timeout);
            await services.GetRequiredService<Referrals.Pipeline.Notify.NotifyStatusSweep>().SweepAsync(cancellationToken);
            idle &= await LocalReceiptsSettle.UntilQuietAsync(sendGrid, notify, Idle, run.Timeout);

            // Issue 22: a letter Royal Mail returns (weeks later, in life) comes through Notify's returned-letter callback, and
            // the plan goes on (here, with no safe channel left, a ContactNeeded task).
            var returned = notify.Accepted.Count(n => n.Type == "letter" && n.Status == "received" && n.To.Contains(LocalNotify.ReturnedMarker, StringComparison.Ordinal) && notify.ReturnLetter(n.Id));
            if (returned > 0)
            {
                idle &= await LocalReceiptsSettle.UntilQuietAsync(sendGrid, notify, Idle, run.Timeout);
            }

            await output.WriteLineAsync(idle ? "All messages processed." : $"Still processing after {run.Timeout.TotalSeconds:0} s; the summary shows what is done so far.");
            var range = SnapshotSender.TallyRange(SnapshotSender.MonthsOf(lines));
            await services.GetRequiredService<TallyAggregator>().AggregateAsync(SnapshotSender.MonthsOf(lines).Where(m => m >= range.From), cancellationToken);
            await output.WriteLineAsync();
            var summary = await RunSummary.ReadAsync(services, cancellationToken);
            summary.WriteTo(output);
            var serviceEmails = sendGrid.Accepted.Count(a => LocalSendGrid.IsServiceEmail(a.Mail));
            await output.WriteLineAsync($"Outbox: {sendGrid.Accepted.Count - serviceEmails} entitlement emails received by the local SendGrid endpoint, in {outbox.Path}");
            await output.WriteLineAsync($"        {serviceEmails} secure emails to services, in {Path.Combine(outbox.Path, Outbox.ServicesFolder)}");
            await output.WriteLineAsync($"        {partners.Count} deliveries received by the services' local APIs, in {Path.Combine(outbox.Path, Outbox.ServicesApiFolder)}");
            var accepted = notify.Accepted;
            await output.WriteLineAsync($"        {accepted.Count(n => n.Type == "sms")} text messages and {accepted.Count(n => n.Type == "letter")} letters received by the local GOV.UK Notify endpoint, in {Path.Combine(outbox.Path, LocalNotify.NotifyFolder)}");
            await output.WriteLineAsync($"        {LocalReceiptsSettle.Letters(accepted)}, as GET /v2/notifications/{{id}} told the status timer");
            await output.WriteLineAsync($"        {notify.Callbacks.Count(c => c.Kind != "returned-letter" && c.HttpStatus is >= 200 and < 300)} delivery receipts for text messages posted by GOV.UK Notify's stand-in to the local callback endpoint ({webhooks.NotifyCallbackUrl})");
            await output.WriteLineAsync($"        {notify.Callbacks.Count(c => c.Kind == "returned-letter" && c.HttpStatus is >= 200 and < 300)} letter{(returned == 1 ? " was" : "s were")} returned undelivered after {(returned == 1 ? "it was" : "they were")} received, through the returned-letter callback ({webhooks.NotifyReturnedLetterUrl})");
            await output.WriteLineAsync($"        every message as the victim reads it (email .eml, text .txt, letter .html; named by crime, victim and channel, the same in every run), in {Path.Combine(outbox.Path, Outbox.ReviewFolder)}");
            await output.WriteLineAsync($"        {partners.Outcomes.Posted.Sum(p => p.Reports)} outcome reports posted, signed, by the services' stand-in to the local outcome API ({webhooks.OutcomesUrl}){(partners.Outcomes.Posted.Any(p => p.Status != 200) ? "; some refused" : "")}");
            await output.WriteLineAsync($"        {sendGrid.Events.Posted} SendGrid events posted, signed, to the local Event Webhook ({webhooks.SendGridWebhookUrl}){(sendGrid.Events.Failed > 0 ? $"; {sendGrid.Events.Failed} refused" : "")}");
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Monthly tallies {range.From} to {range.To} (the OPCC's endpoint, on loopback while this runs: {talliesEndpoint.Url}/api/{TalliesEndpoint.Route}?from={range.From}&to={range.To}):");
            await output.WriteLineAsync((await services.GetRequiredService<TallyStore>().ReadAsync(range, cancellationToken)).ToText());

            if (run.Storage is not null)
            {
                await output.WriteLineAsync("What the run stored stays in that account: try `referrals rejected`, `referrals poison`, `referrals tallies`, `referrals tasks list` with the same --storage.");
            }

            if (partners.Outcomes.Referrals.FirstOrDefault() is { PublicId: not null } example && outcomeSecrets.TryGetValue(example.Service, out var secret))
            {
                await output.WriteLineAsync($"The outcome API, on loopback while this runs (with --serve, until Ctrl-C): {webhooks.OutcomesUrl}. A service's signed request (docs/outcomes.md):");
                await output.WriteLineAsync(LocalOutcomes.CurlExample(webhooks.OutcomesUrl, example.Service, secret, example.PublicId));
                await output.WriteLineAsync();
            }

            if (run.Serve)
            {
                await DashboardCommand.ServeUntilStoppedAsync(talliesEndpoint, range, output, cancellationToken);
            }

            return idle ? 0 : 1;
        }
        finally
        {
            await shutdown.StopAsync();
        }
    }

    /// <summary>
    /// Drains, stops and disposes the run's host. Asked to stop (Ctrl-C, SIGTERM), it is done within
    /// <see cref="StopBudget"/> whatever storage does meanwhile, and an error of the host's own shutdown ("The timer has
    /// already been stopped.") is not the run's failure: what was not finished is delivered again on the next run
    /// (at-least-once). Otherwise it waits for the host as long as it takes, and its errors are the run's.
    /// </summary>
    private sealed class HostShutdown(IHost host, CancellationToken stopAsked) : IAsyncDisposable
    {
        private static readonly TimeSpan StopBudget = TimeSpan.FromSeconds(3);

        private bool _stopped;

        public bool Started { get; set; }

        public async Task StopAsync()
        {
            if (!Started || _stopped)
            {
                return;
            }

            _stopped = true;
            var stop = LocalPipelineHost.DrainAndStopAsync(host);
            if (!stopAsked.IsCancellationRequested)
            {
                await stop;
                return;
            }

            try
            {
                await stop.WaitAsync(StopBudget, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Stopping anyway: Azurite, the stand-ins and the process end next.
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await StopAsync();
                host.Dispose();
            }
            catch (Exception ex) when (stopAsked.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // As above: the operator asked to stop, and the host's shutdown errors are its own.
            }
        }
    }
}
