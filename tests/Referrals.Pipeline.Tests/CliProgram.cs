using System.Diagnostics;
using System.Reflection;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// Runs the real `referrals` program as a child process, as an operator would (Referrals.Cli.Tests' CliProcess does the
/// same). This project also references the Functions app, whose ASP.NET Core framework the CLI's own runtime files do
/// not name, so the program runs with this test project's runtime and dependency files, which list everything here.
/// </summary>
internal static class CliProgram
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables to set for this run only (queue names, say).</param>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IDictionary<string, string?> environment, string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the program and leaves it running (its input closed, its output to be read by the caller).</summary>
    public static Process Start(IDictionary<string, string?> environment, string[] args)
    {
        var self = Assembly.GetExecutingAssembly().GetName().Name;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in (string[])["exec", "--runtimeconfig", $"{self}.runtimeconfig.json", "--depsfile", $"{self}.deps.json", "referrals.dll", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.StandardInput.Close();
        return process;
    }
}
