using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Cli;

/// <summary>`referrals tallies --from --to`: the OPCC's monthly tallies in the terminal, as the endpoint serves them.</summary>
internal static class TalliesCommand
{
    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var from = new Option<string>("--from") { Description = "First month, yyyy-MM.", Required = true };
        var to = new Option<string>("--to") { Description = "Last month, yyyy-MM (at most 36 months after --from).", Required = true };
        var format = new Option<string>("--format") { Description = "text (a table), csv or json: the endpoint's own formats.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "csv", "json");
        var refresh = new Option<bool>("--refresh") { Description = "Recount these months from their events first (the timer recounts only the current and previous month)." };
        var command = new Command("tallies", "Print the monthly tallies the OPCC pulls: one column per month and a total, one row per category.")
        {
            from,
            to,
            format,
            refresh,
        };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (MonthRange.TryParse(parse.GetValue(from), parse.GetValue(to), out var error) is not { } range)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"referrals tallies: {error}");
                return 2;
            }

            return await storage.RunAsync(parse, "No tallies yet: nothing has been counted on this storage (run the pipeline, or --refresh).", async services =>
            {
                if (parse.GetValue(refresh))
                {
                    await services.GetRequiredService<TallyAggregator>().AggregateAsync(range.Months(), cancellationToken);
                }

                var report = await services.GetRequiredService<TallyStore>().ReadAsync(range, cancellationToken);
                await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(format) switch
                {
                    "csv" => Encoding.UTF8.GetString(report.ToCsv()).TrimStart('\uFEFF'),
                    "json" => Encoding.UTF8.GetString(report.ToJson()) + Environment.NewLine,
                    _ => report.ToText(),
                });
                return 0;
            }, cancellationToken);
        });
        return command;
    }
}
