using System.CommandLine;
using Referrals.LocalHost;

namespace Referrals.Cli;

/// <summary>`referrals azurite`: a storage emulator that stays up, for practising the storage commands after `referrals run --storage`.</summary>
internal static class AzuriteCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Folder for Azurite's data (queues, tables, blobs), kept between starts. Default: .azurite (git-ignored).",
            DefaultValueFactory = _ => new DirectoryInfo(".azurite"),
        };
        var command = new Command("azurite",
            """
            Run Azurite, the Azure Storage emulator, in the foreground on loopback on its standard ports (blob 10000,
            queue 10001, table 10002), with its data kept in --data, until Ctrl-C or SIGTERM. Every storage command
            reaches it with its default storage, UseDevelopmentStorage=true; `referrals run --storage UseDevelopmentStorage=true`
            runs the pipeline on it. Needs Node.js; installs Azurite from npm on first use.
            """)
        {
            data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(data)!.FullName;
            try
            {
                await using var azurite = await Azurite.StartStandardAsync(folder, message => output.WriteLine(message), cancellationToken);
                await output.WriteLineAsync($"Azurite is running on 127.0.0.1 (blob {azurite.Ports.Blob}, queue {azurite.Ports.Queue}, table {azurite.Ports.Table}), data in {folder}.");
                await output.WriteLineAsync($"Connection string: {StorageCommandOptions.DevelopmentStorage}");
                await output.WriteLineAsync($"             same: {azurite.ConnectionString}");
                await output.WriteLineAsync("Press Ctrl-C to stop.");
                await output.FlushAsync(cancellationToken);
                var exitCode = await azurite.WaitForExitAsync(cancellationToken);
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals azurite: Azurite stopped by itself (exit code {exitCode}).");
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync("Azurite stopped; its data stays in " + folder + ".");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals azurite: {ex.Message}");
                return 1;
            }
        });
        return command;
    }
}
