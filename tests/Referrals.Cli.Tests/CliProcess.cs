using System.Diagnostics;

namespace Referrals.Cli.Tests;

/// <summary>Runs the real `referrals` program as a child process, as an operator would.</summary>
internal static class CliProcess
{
    public static string SamplesPath => Path.Combine(AppContext.BaseDirectory, "samples", "crime-events.jsonl");

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] args) =>
        RunAsync(stdin, new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set (a null value removes one) for this run only.</param>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, IDictionary<string, string?> environment, params string[] args)
    {
        var start = Start(args);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>How the program is started: `dotnet referrals.dll ARGS`, the dotnet process being the program itself.</summary>
    public static ProcessStartInfo Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "referrals.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
