using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Referrals.Functions.Telemetry;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The Functions app exports the pipeline's meter to Application Insights, signed in as its managed identity. The
/// Functions host cannot run here: the app's services are built as Program.cs builds them, on a plain host.
/// </summary>
public sealed class MetricsExportTests
{
    private const string InstrumentationKey = "00000000-0000-0000-0000-000000000000";

    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddReferralsPipeline(builder.Configuration);
        builder.Services.AddPipelineMetricsExport(builder.Configuration);
        more?.Invoke(builder.Services);
        return builder.Build();
    }

    [Fact]
    public void The_apps_meter_provider_listens_to_the_pipelines_meter()
    {
        var exported = new List<string>();
        using var exporter = new Captured(exported);
        using var host = Build([], services => services.ConfigureOpenTelemetryMeterProvider(m => m.AddReader(new BaseExportingMetricReader(exporter))));
        var provider = host.Services.GetRequiredService<MeterProvider>();
        var metrics = host.Services.GetRequiredService<PipelineMetrics>();

        metrics.Count("email", "failed");
        metrics.Count("delivery", "Referral:late");
        metrics.Waiting("poison", 2);
        provider.ForceFlush();

        Assert.Equal([PipelineMetrics.DeadLettersWaiting, PipelineMetrics.LateDeliveries, PipelineMetrics.Events, PipelineMetrics.Failures], exported.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_metrics_reach_the_Application_Insights_ingestion_endpoint_of_the_connection_string()
    {
        using var ingestion = WireMockServer.Start();
        ingestion.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}"""));
        using var host = Build(new() { [MetricsExportOptions.ConnectionStringSetting] = $"InstrumentationKey={InstrumentationKey};IngestionEndpoint={ingestion.Url}/" });
        var provider = host.Services.GetRequiredService<MeterProvider>();

        host.Services.GetRequiredService<PipelineMetrics>().Count("delivery", "Referral:failed");
        provider.ForceFlush();
        await Task.Yield();

        var posted = string.Concat(ingestion.LogEntries.Select(e => e.RequestMessage.Body));
        Assert.Contains(PipelineMetrics.Failures, posted, StringComparison.Ordinal);
        Assert.Contains(InstrumentationKey, posted, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_exported()
    {
        using var host = Build([]);
        Assert.Null(host.Services.GetRequiredService<IOptions<AzureMonitorExporterOptions>>().Value.ConnectionString);
        Assert.Null(host.Services.GetRequiredService<IOptions<AzureMonitorExporterOptions>>().Value.Credential);
    }

    [Fact]
    public void The_exporter_signs_in_as_the_identity_the_authentication_string_names()
    {
        using var host = Build(new()
        {
            [MetricsExportOptions.ConnectionStringSetting] = $"InstrumentationKey={InstrumentationKey}",
            [MetricsExportOptions.AuthenticationStringSetting] = "ClientId=33333333-3333-3333-3333-333333333333;Authorization=AAD",
        });

        var exporter = host.Services.GetRequiredService<IOptions<AzureMonitorExporterOptions>>().Value;
        Assert.Equal($"InstrumentationKey={InstrumentationKey}", exporter.ConnectionString);
        Assert.IsType<ManagedIdentityCredential>(exporter.Credential);
    }

    [Theory]
    [InlineData("Authorization=AAD", true)]
    [InlineData("authorization=aad; clientid=33333333-3333-3333-3333-333333333333", true)]
    [InlineData("", true)]
    [InlineData("ClientId=33333333-3333-3333-3333-333333333333", false)]
    [InlineData("Authorization=Key;ClientId=33333333-3333-3333-3333-333333333333", false)]
    [InlineData("Authorization=AAD;ClientSecret=x", false)]
    [InlineData("Authorization=AAD;ClientId", false)]
    public void An_authentication_string_that_is_not_Entra_auth_stops_start_up(string value, bool valid)
    {
        using var host = Build(new() { [MetricsExportOptions.AuthenticationStringSetting] = value });

        var error = Record.Exception(() => host.Services.GetRequiredService<IOptions<MetricsExportOptions>>().Value);

        Assert.Equal(valid, error is null);
        if (!valid)
        {
            Assert.Contains(MetricsExportOptions.AuthenticationStringSetting, Assert.IsType<OptionsValidationException>(error).Message, StringComparison.Ordinal);
        }
    }

    private sealed class Captured(List<string> names) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                names.Add(metric.Name);
            }

            return ExportResult.Success;
        }
    }
}
