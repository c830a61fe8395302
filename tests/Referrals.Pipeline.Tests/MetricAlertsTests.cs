using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Contact;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.Tasks;
using Referrals.Receipts;
using Referrals.State;

namespace Referrals.Pipeline.Tests;

/// <summary>An alert in infra-bicep watching a metric the pipeline does not emit would never fire: each metric alert is tied to the code (the availability alert: SignInAndHealthInfrastructureTests).</summary>
[Collection(AzuriteGroup.Name)]
public sealed class MetricAlertsTests(CompiledInfrastructure infra, AzuriteFixture azurite) : IClassFixture<CompiledInfrastructure>
{
    /// <summary>Custom metrics in Application Insights' metric store: what the app's exporter sends.</summary>
    private const string CustomMetrics = "azure.applicationinsights";

    /// <summary>Application Insights' standard metrics, recorded by the Functions host and the platform rather than by our code.</summary>
    private static readonly string[] StandardMetrics = ["microsoft.insights/components requests/failed"];

    private sealed record Criterion(string Alert, string Namespace, string Metric, IReadOnlyList<(string Name, string[] Values)> Dimensions);

    private IReadOnlyList<Criterion> Criteria() =>
        [.. infra.Resources().Where(r => (string?)r["type"] == "Microsoft.Insights/metricAlerts" && r["properties"]!["criteria"]!["allOf"] is not null).SelectMany(alert =>
            alert["properties"]!["criteria"]!["allOf"]!.AsArray().OfType<JsonObject>().Select(criterion => new Criterion(
                (string)alert["name"]!,
                (string)criterion["metricNamespace"]!,
                (string)criterion["metricName"]!,
                [.. (criterion["dimensions"]?.AsArray() ?? []).OfType<JsonObject>().Select(d => ((string)d["name"]!, d["values"]!.AsArray().Select(v => (string)v!).ToArray()))]))),];

    [Fact]
    public void The_alerts_watch_metrics_not_log_text()
    {
        Assert.Equal(0, infra.Build.ExitCode);
        Assert.DoesNotContain(infra.Resources(), r => (string?)r["type"] == "Microsoft.Insights/scheduledQueryRules");
        var custom = Criteria().Where(c => c.Namespace == CustomMetrics).Select(c => c.Metric).Order(StringComparer.Ordinal);
        Assert.Equal([PipelineMetrics.DeadLettersWaiting, PipelineMetrics.LateDeliveries, PipelineMetrics.EmailBounces, PipelineMetrics.UnmatchedBounces, PipelineMetrics.Failures, PipelineMetrics.ReferralsAtRisk, PipelineMetrics.TasksOverdue], custom);
        Assert.All(Criteria().Where(c => c.Namespace != CustomMetrics), c => Assert.Contains($"{c.Namespace} {c.Metric}", StandardMetrics));
    }

    [Fact]
    public void Every_custom_metric_an_alert_watches_is_an_instrument_of_the_pipelines_meter()
    {
        var instruments = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName)
                {
                    instruments.Add(instrument.Name);
                }
            },
        };
        listener.Start();
        using var metrics = new PipelineMetrics();

        Assert.All(Criteria().Where(c => c.Namespace == CustomMetrics), c => Assert.Contains(c.Metric, instruments));
    }

    [Fact]
    public async Task The_pipeline_emits_every_metric_an_alert_watches_when_what_it_alerts_on_happens()
    {
        // idva refuses its referral (a failure); general's arrives after its October due date (late); the refused one waits in poison.
        await using var pipeline = new PipelineTestHost(azurite, services: (service, _) => service == "idva" ? 400 : 201);
        await pipeline.StartAsync();
        var meters = pipeline.Services.GetRequiredService<IMeterFactory>();
        var measured = new ConcurrentBag<(string Instrument, long Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Meter.Scope == meters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString(), StringComparer.Ordinal))));
        listener.Start();

        await pipeline.SendAsync([Samples.Lines[1], .. Samples.Lines.Where(l => l.Contains("\"DB/26/000108\"", StringComparison.Ordinal))]);
        await pipeline.WaitUntilIdleAsync();
        await pipeline.Services.GetRequiredService<DeadLetterReporter>().ReportAsync(CancellationToken.None);

        // Crime 108's two tasks (ConsentRequest, ContactNeeded), swept ten days on: overdue, each counted once however often the sweep runs.
        var later = new SettableTime(DateTimeOffset.UtcNow.AddDays(10));
        var sweep = ActivatorUtilities.CreateInstance<TaskEscalation>(pipeline.Services, (TimeProvider)later);
        Assert.Equal(new EscalationCounts(2, 2, 0), await sweep.SweepAsync(CancellationToken.None));
        Assert.Equal(new EscalationCounts(2, 0, 0), await sweep.SweepAsync(CancellationToken.None));

        // idva's refused referral of crime 102, at noon on the working day before it was due: its notice, once (issue 29).
        var dueBy = DateOnly.ParseExact((await pipeline.VictimsAsync()).Single(v => v.PartitionKey.Contains("000102", StringComparison.Ordinal)).ReferralDueBy, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var noon = new SettableTime(Referrals.Deadlines.DeadlineRule.AtRiskFrom(dueBy, new Referrals.Calendar.WorkingDayCalendar(), new TimeOnly(12, 0)));
        Assert.Equal(1, (await ActivatorUtilities.CreateInstance<Deadlines.DeadlineWatch>(pipeline.Services, (TimeProvider)noon).WatchAsync(CancellationToken.None)).Noticed);

        // A bounce reported by SendGrid's Event Webhook, applied by a sink that knows the message.
        await ReceiptResults.ApplyAsync(
            new KnownMessages(), pipeline.Services.GetRequiredService<PipelineMetrics>(), "sendgrid",
            [new Receipt(ReceiptProvider.SendGrid, Channel.Email, MessageReference.Email("DB/26/000123", "V1"), ReceiptStatus.FailedForGood, DateTimeOffset.UtcNow, "e1")], [], CancellationToken.None);

        // An asynchronous bounce naming no message, whose address two victims' emails await (issue 22).
        await ReceiptResults.ApplyAsync(
            new AmbiguousRecipients(), pipeline.Services.GetRequiredService<PipelineMetrics>(), "sendgrid",
            [new Receipt(ReceiptProvider.SendGrid, Channel.Email, string.Empty, ReceiptStatus.FailedForGood, DateTimeOffset.UtcNow, "e2") { RecipientKey = "k" }], [], CancellationToken.None);

        Assert.All(Criteria().Where(c => c.Namespace == CustomMetrics), c => Assert.Contains(measured, m =>
            m.Instrument == c.Metric && m.Value > 0 && c.Dimensions.All(d => d.Values.Contains(m.Tags.GetValueOrDefault(d.Name)))));
        Assert.Contains(measured, m => m.Instrument == PipelineMetrics.Failures && m.Tags["step"] == "referral" && m.Tags["outcome"] == "failed");
        Assert.Contains(measured, m => m.Instrument == PipelineMetrics.DeadLettersWaiting && m.Tags["store"] == "poison" && m.Value == 1);
        Assert.Contains(measured, m => m.Instrument == PipelineMetrics.UnmatchedBounces && m.Tags["match"] == "ambiguous" && m.Value == 1);
    }

    [Fact]
    public void An_unmatched_or_ambiguous_bounce_alerts_an_operator_at_the_first_one()
    {
        var alert = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Insights/metricAlerts" && ((string?)r["name"])!.Contains("unmatched-bounces", StringComparison.Ordinal));
        var criterion = Assert.Single(alert["properties"]!["criteria"]!["allOf"]!.AsArray())!;
        Assert.Equal(
            (CustomMetrics, PipelineMetrics.UnmatchedBounces, "Total", "GreaterThan", 0),
            ((string)criterion["metricNamespace"]!, (string)criterion["metricName"]!, (string)criterion["timeAggregation"]!, (string)criterion["operator"]!, (int)criterion["threshold"]!));
        Assert.True((bool)alert["properties"]!["enabled"]!);
        Assert.NotEmpty(alert["properties"]!["actions"]!.AsArray());
        Assert.Contains("docs/receipts.md", (string)alert["properties"]!["description"]!, StringComparison.Ordinal);
    }

    private sealed class KnownMessages : IReceiptSink
    {
        public Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken) => Task.FromResult(ReceiptEffect.Applied);
    }

    private sealed class AmbiguousRecipients : IReceiptSink
    {
        public Task<ReceiptEffect> ApplyAsync(Receipt receipt, CancellationToken cancellationToken) => Task.FromResult(ReceiptEffect.AmbiguousRecipient);
    }
}
