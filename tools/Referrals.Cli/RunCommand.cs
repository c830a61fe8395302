using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Referrals.Cli.LocalHost;
using Referrals.Pipeline.Configuration;
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
            Description = "JSON Lines snapshots to put on the crime-events queue. Default: the bundled samples.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl")),
        };
        var outbox = new Option<DirectoryInfo>("--outbox")
        {
            Description = "Folder for the emails the local SendGrid endpoint receives, one .eml each.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "outbox")),
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the queues to empty.",
            DefaultValueFactory = _ => 120,
        };

        var command = new Command("run",
            """
            Run the pipeline locally, end to end: install Azurite from npm if needed and start it on loopback, start
            a SendGrid-compatible endpoint on loopback (emails go to the outbox folder), host the same queue and timer
            triggers as the Functions app with the WebJobs SDK, send the snapshots, wait until they are processed,
            forward referrals to loopback stand-ins of the services' APIs and mailboxes, count the month's tallies,
            print a summary and the tallies, and stop everything (also on Ctrl-C). Needs the .NET SDK and Node.js; no Azure.
            """)
        {
            samples,
            outbox,
            timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(samples)!, parse.GetValue(outbox)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.InvocationConfiguration.Output, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals run: {ex.Message}");
                return 1;
            }
            catch (OperationCanceledException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("referrals run: stopped; Azurite and the local host were shut down.");
                return 130;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(FileInfo samples, DirectoryInfo outbox, TimeSpan timeout, TextWriter output, CancellationToken cancellationToken)
    {
        if (!samples.Exists)
        {
            await output.WriteLineAsync($"referrals run: {samples.FullName} was not found.");
            return 1;
        }

        await output.WriteLineAsync("Starting Azurite on loopback…");
        await using var azurite = await Azurite.StartAsync(message => output.WriteLine(message), cancellationToken);
        if (outbox.Exists)
        {
            outbox.Delete(recursive: true);
        }

        await using var sendGrid = FakeSendGrid.Start(outbox.FullName);
        await using var partners = FakeServices.Start(Path.Combine(outbox.FullName, "services-api"));
        var directory = FakeServices.WriteLocalDirectory(
            Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName), partners.Url, Path.Combine(outbox.FullName, "services.local.json"));
        using var host = LocalPipelineHost.Build(LocalSettings.For(azurite.ConnectionString, sendGrid.Url, directory));
        await host.StartAsync(cancellationToken);
        await using var talliesEndpoint = new LocalTalliesServer(host.Services.GetRequiredService<TalliesEndpoint>()).Start();
        try
        {
            var services = host.Services;
            var clients = services.GetRequiredService<StorageClients>();
            var options = services.GetRequiredService<IOptions<PipelineOptions>>().Value;
            var queue = clients.Queues.GetQueueClient(options.CrimeEventsQueue);
            var lines = await File.ReadAllLinesAsync(samples.FullName, cancellationToken);
            var waves = SnapshotSender.Waves(lines);
            var idle = true;
            foreach (var (wave, index) in waves.Select((w, i) => (w, i + 1)))
            {
                var (sent, failures) = await SnapshotSender.SendAsync(queue, wave, cancellationToken);
                await output.WriteLineAsync($"Sent {sent} snapshots from {samples.Name} to the {options.CrimeEventsQueue} queue (wave {index} of {waves.Count}: a crime's later snapshots wait for its earlier ones).");
                failures.ForEach(output.WriteLine);
                idle &= await PipelineProbe.WaitUntilIdleAsync(clients, options, timeout, cancellationToken);
            }

            await output.WriteLineAsync(idle ? "All messages processed." : $"Still processing after {timeout.TotalSeconds:0} s; the summary shows what is done so far.");
            var months = SnapshotSender.MonthsOf(lines);
            await services.GetRequiredService<TallyAggregator>().AggregateAsync(months, cancellationToken);
            await output.WriteLineAsync();
            var summary = await RunSummary.ReadAsync(services, cancellationToken);
            summary.WriteTo(output);
            await output.WriteLineAsync($"Outbox: {sendGrid.Count} entitlement emails received by the local SendGrid endpoint, in {outbox.FullName}");
            await output.WriteLineAsync($"        {sendGrid.ServiceCount} secure emails to services, in {Path.Combine(outbox.FullName, "services")}");
            await output.WriteLineAsync($"        {partners.Count} deliveries received by the services' local APIs, in {Path.Combine(outbox.FullName, "services-api")}");
            if (months.Count > 0)
            {
                var range = new MonthRange(months.Min(), months.Max());
                await output.WriteLineAsync();
                await output.WriteLineAsync($"Monthly tallies {range.From} to {range.To} (the OPCC's endpoint, on loopback while this runs: {talliesEndpoint.Url}/api/{TalliesEndpoint.Route}?from={range.From}&to={range.To}):");
                await output.WriteLineAsync((await services.GetRequiredService<TallyStore>().ReadAsync(range, cancellationToken)).ToText());
            }

            return idle ? 0 : 1;
        }
        finally
        {
            await LocalPipelineHost.DrainAndStopAsync(host);
        }
    }
}
