using System.Collections.Specialized;
using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Pipeline.Tallies;
using Referrals.Tallies;

namespace Referrals.Cli;

/// <summary>`referrals tallies --from --to | --quarter`: the OPCC's monthly tallies in the terminal, as the endpoint serves them.</summary>
internal static class TalliesCommand
{
    public static Command Create()
    {
        var storage = new StorageCommandOptions();
        var from = new Option<string?>("--from") { Description = "First month, yyyy-MM." };
        var to = new Option<string?>("--to") { Description = "Last month, yyyy-MM (at most 36 months after --from)." };
        var quarter = new Option<string?>("--quarter") { Description = "A financial quarter instead of --from/--to, e.g. 2026-27-Q3 (October to December 2026)." };
        var format = new Option<string>("--format") { Description = "text (tables, a row per month), csv (wide), csv-long (month,category,service,value) or json: the endpoint's own formats.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "csv", "csv-long", "json");
        var view = new Option<string>("--view") { Description = "tallies, or compliance (the Victims' Code measures: JSON, or csv with --format csv).", DefaultValueFactory = _ => "tallies" };
        view.AcceptOnlyFromAmong("tallies", "compliance");
        var suppress = new Option<int>("--suppress-below") { Description = "Hide figures below N (shown as <N), and any figure that would give one away ([c]), for figures to publish. 0: none." };
        var refresh = new Option<bool>("--refresh") { Description = "Recount these months from their events first (the timer recounts only recent months); a change to a final month is marked as a revision." };
        var command = new Command("tallies", "Print the monthly tallies the OPCC pulls: a row per month and the total, a column per figure, with each month's status (provisional or final) and when it was counted.")
        {
            from,
            to,
            quarter,
            format,
            view,
            suppress,
            refresh,
        };
        storage.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var query = new NameValueCollection();
            void Set(string name, string? value)
            {
                if (value is not null)
                {
                    query[name] = value;
                }
            }

            Set("from", parse.GetValue(from));
            Set("to", parse.GetValue(to));
            Set("quarter", parse.GetValue(quarter));
            var below = parse.GetValue(suppress);
            var range = TalliesEndpoint.RangeOf(query, out var quarterName, out var error);
            if (parse.GetValue(quarter) is null && (parse.GetValue(from) is null || parse.GetValue(to) is null))
            {
                // The endpoint's own message names its query string; the command has options.
                error = "give --from and --to (yyyy-MM, e.g. --from 2026-04 --to 2027-03), or --quarter (e.g. 2026-27-Q3).";
            }

            if (below is not 0 and (< 2 or > TalliesEndpoint.MaxSuppressBelow))
            {
                error = $"--suppress-below must be 0 (none) or from 2 to {TalliesEndpoint.MaxSuppressBelow}.";
            }

            if (range is null || error is not null)
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

                var force = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Referrals.Pipeline.Configuration.ForceOptions>>().Value.Name;
                var report = (await services.GetRequiredService<TallyStore>().ReadAsync(range, cancellationToken)).Publish(below, quarterName, force is { Length: > 0 } ? force : null);
                await parse.InvocationConfiguration.Output.WriteAsync((parse.GetValue(view), parse.GetValue(format)) switch
                {
                    ("compliance", "csv") => Encoding.UTF8.GetString(ComplianceView.ToCsv(report)).TrimStart('\uFEFF'),
                    ("compliance", _) => Encoding.UTF8.GetString(ComplianceView.ToJson(report)) + Environment.NewLine,
                    (_, "csv") => Encoding.UTF8.GetString(report.ToCsv()).TrimStart('\uFEFF'),
                    (_, "csv-long") => Encoding.UTF8.GetString(report.ToLongCsv()).TrimStart('\uFEFF'),
                    (_, "json") => Encoding.UTF8.GetString(report.ToJson()) + Environment.NewLine,
                    _ => report.ToText(),
                });
                return 0;
            }, cancellationToken);
        });
        return command;
    }
}
