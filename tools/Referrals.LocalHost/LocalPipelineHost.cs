using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Referrals.Pipeline;
using Referrals.Pipeline.Configuration;

namespace Referrals.LocalHost;

/// <summary>
/// Builds the local trigger host: the WebJobs SDK with the same queue settings as host.json
/// (<see cref="QueueHostSettings"/>), the pipeline's services, and <see cref="LocalFunctions"/>.
/// </summary>
public static class LocalPipelineHost
{
    /// <param name="retryDelay">
    /// How long a message whose handler failed stays hidden before it is tried again (the queues' visibility timeout);
    /// default host.json's. Tests shorten it: redelivery is what they exercise, not the wait.
    /// </param>
    public static IHost Build(IDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null, Action<ILoggingBuilder>? configureLogging = null, TimeSpan? retryDelay = null)
    {
        return new HostBuilder()
            .ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings))
            .ConfigureWebJobs(webJobs =>
            {
                webJobs.AddAzureStorageCoreServices();
                webJobs.AddAzureStorageQueues(queues =>
                {
                    queues.BatchSize = QueueHostSettings.BatchSize;
                    queues.NewBatchThreshold = QueueHostSettings.NewBatchThreshold;
                    queues.MaxDequeueCount = QueueHostSettings.MaxDequeueCount;
                    queues.VisibilityTimeout = retryDelay ?? QueueHostSettings.VisibilityTimeout;
                    queues.MaxPollingInterval = QueueHostSettings.MaxPollingInterval;
                    queues.MessageEncoding = QueueMessageEncoding.None;
                });
                webJobs.AddTimers();
            })
            .ConfigureServices((context, services) =>
            {
                // Entra ID is out of reach locally: services that ask for a token get a stand-in one.
                services.AddSingleton<TokenCredential>(new LocalTokenCredential());
                services.AddReferralsPipeline(context.Configuration);
                services.AddSingleton<ITypeLocator>(new LocalTypeLocator());
                services.AddSingleton<IWebJobsExceptionHandlerFactory, LocalExceptionHandler>();
                configureServices?.Invoke(services);
            })
            .ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Information);
                logging.AddFilter("Azure.Core", LogLevel.Warning);
                logging.AddFilter("Host", LogLevel.Warning);
                logging.AddFilter("Microsoft", LogLevel.Warning);
                logging.AddFilter("Function", LogLevel.Warning);
                configureLogging?.Invoke(logging);
            })
            .Build();
    }

    /// <summary>
    /// Stops the way Azure scales an instance in: drain first (stop fetching, let running messages finish),
    /// then stop. A plain stop can abandon a batch being fetched, hidden for the listener's 10-minute lease.
    /// </summary>
    public static async Task DrainAndStopAsync(IHost host)
    {
        await host.Services.GetRequiredService<IDrainModeManager>().EnableDrainModeAsync(CancellationToken.None);
        await host.StopAsync(CancellationToken.None);
    }

    private sealed class LocalTypeLocator : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => [typeof(LocalFunctions)];
    }
}
