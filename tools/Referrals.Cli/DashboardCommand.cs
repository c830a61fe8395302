using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Referrals.LocalHost;
using Referrals.Pipeline.Dashboard;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Cli;

/// <summary>`referrals dashboard --storage …`: the OPCC's dashboard and the tallies endpoint on loopback, over any storage account's tallies, until Ctrl-C.</summary>
internal static class DashboardCommand
{
    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var command = new Command("dashboard",
            "Serve the OPCC's dashboard (and GET /api/tallies) on loopback over the tallies of a storage account, printing the address, until Ctrl-C. "
            + "Loopback has no sign-in; in Azure the Functions app serves the same page behind Entra ID and an app role.");
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
            await storage.RunAsync(parse, "No tallies yet: nothing has been counted on this storage.", async services =>
            {
                var tallies = services.GetRequiredService<TallyStore>();
                await tallies.CreateIfNotExistsAsync(cancellationToken);
                await using var server = await new LocalTalliesServer(services.GetRequiredService<TalliesEndpoint>(), services.GetRequiredService<DashboardEndpoint>()).StartAsync();
                var now = Month.Of(DateTimeOffset.UtcNow);
                var range = new MonthRange(now.Previous.Previous.Previous.Previous.Previous, now);
                await ServeUntilStoppedAsync(server, range, parse.InvocationConfiguration.Output, cancellationToken);
                return 0;
            }, CancellationToken.None));
        return command;
    }

    /// <summary>Prints where the dashboard (and the worklist, when served) is and waits for Ctrl-C (or SIGTERM), which ends the wait, not the command.</summary>
    public static async Task ServeUntilStoppedAsync(LocalTalliesServer server, MonthRange range, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync($"The OPCC's dashboard, on loopback: {server.DashboardUrl}?from={range.From}&to={range.To}");
        await output.WriteLineAsync($"The tallies endpoint: {server.Url}/api/{TalliesEndpoint.Route}?from={range.From}&to={range.To}");
        if (server.ServesWorklist)
        {
            await output.WriteLineAsync($"The Victim Care Unit's worklist, on loopback (you act as {LocalTalliesServer.LocalOperator.Name}): {server.WorklistUrl}");
        }

        if (server.ServesHealth)
        {
            await output.WriteLineAsync($"The health endpoint: {server.HealthUrl}");
        }

        await output.WriteLineAsync(LocalTalliesServer.NoSignIn);
        await output.WriteLineAsync("Serving until Ctrl-C.");
        await output.FlushAsync(CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Stopped serving.");
        }
    }
}
