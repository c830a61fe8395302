using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Referrals.Pipeline;

namespace Referrals.Functions.Telemetry;

/// <summary>
/// Exports the pipeline's meter to Application Insights (the alerts in infra-bicep/modules/alerts.bicep watch it).
/// Metrics only: the Functions host keeps sending logs and requests as it does without OpenTelemetry.
/// Microsoft.Azure.Functions.Worker.OpenTelemetry's UseFunctionsWorkerDefaults is left out on purpose: it tells the
/// host to stop sending the worker's telemetry, which this app would then have to export itself.
/// </summary>
public static class MetricsExport
{
    public const string ServiceName = "Referrals.Functions";

    public static IServiceCollection AddPipelineMetricsExport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsExportOptions>().Bind(configuration)
            .Validate(o => o.AuthenticationIsValid, $"{MetricsExportOptions.AuthenticationStringSetting} must read Authorization=AAD;ClientId=<client id of the app's identity>")
            .ValidateOnStart();
        services.AddOptions<AzureMonitorExporterOptions>().Configure<IOptions<MetricsExportOptions>>((exporter, settings) =>
        {
            exporter.ConnectionString = settings.Value.ConnectionString;
            exporter.Credential = settings.Value.Credential();
        });

        var export = !string.IsNullOrWhiteSpace(configuration[MetricsExportOptions.ConnectionStringSetting]);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineMetrics.MeterName);
                if (export)
                {
                    metrics.AddAzureMonitorMetricExporter();
                }
            });
        return services;
    }
}
