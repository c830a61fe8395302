using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Referrals.LocalHost;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// This assembly's entry point (the test SDK's generated one did nothing): `dotnet Referrals.Pipeline.Tests.dll host
/// SETTINGS.json` runs the local trigger host (<see cref="LocalPipelineHost"/>, as `referrals run` does) on the settings in
/// that file, with <see cref="PipelineTestHost.RetryDelay"/>, until the process is killed, so that a test can SIGKILL a
/// host with messages in flight while the providers' stand-ins live on in the test.
/// </summary>
internal static class ChildHost
{
    public const string Started = "Host started.";

    public static async Task<int> Main(string[] args)
    {
        if (args is not ["host", var settingsFile])
        {
            return 0;
        }

        var settings = JsonSerializer.Deserialize<Dictionary<string, string?>>(await File.ReadAllTextAsync(settingsFile))!;
        using var host = LocalPipelineHost.Build(settings, retryDelay: PipelineTestHost.RetryDelay);
        await host.StartAsync();
        await Console.Out.WriteLineAsync(Started);
        await Console.Out.FlushAsync();
        await host.WaitForShutdownAsync();
        return 0;
    }
}
