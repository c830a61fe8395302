using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Referrals.Pipeline.Forwarding;

namespace Referrals.Pipeline.Configuration;

/// <summary>
/// Loads the rules data (offence codes, services directory, email templates) and the services' API keys before any
/// trigger can run, so a broken file or a missing setting stops the host naming it with no message taken.
/// </summary>
/// <remarks>
/// Options validated with ValidateOnStart are already checked first: the host runs them before it starts any hosted
/// service. These checks are not options, and a plain hosted service starts in registration order, after the WebJobs
/// host's queue listeners (which took a message first). <see cref="IHostedLifecycleService.StartingAsync"/> runs before
/// every hosted service's StartAsync, whatever the order: in the local WebJobs host, before the listeners; in the
/// Functions app, before the worker connects to the Functions host, which indexes and triggers nothing without it.
/// </remarks>
public sealed class StartupChecks(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<RulesData>();
        services.GetRequiredService<ServiceCredentials>();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
