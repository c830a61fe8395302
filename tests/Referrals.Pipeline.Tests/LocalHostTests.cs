using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Referrals.Cli.LocalHost;

namespace Referrals.Pipeline.Tests;

/// <summary>The local host's own plumbing, without storage.</summary>
public class LocalHostTests
{
    [Fact]
    public void The_local_host_uses_its_own_exception_handler()
    {
        using var host = LocalPipelineHost.Build(LocalSettings.For("UseDevelopmentStorage=true", "http://127.0.0.1:1", "services.json"));
        Assert.IsType<LocalExceptionHandler>(host.Services.GetRequiredService<IWebJobsExceptionHandlerFactory>());
    }

    [Fact]
    public async Task A_message_finishing_after_the_host_was_disposed_is_left_for_redelivery_rather_than_ending_the_process()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var handler = new LocalExceptionHandler(lifetime);
        lifetime.StopApplication();

        // The default handler rethrows this on a thread of its own, which ends the test run (as it did in CI once).
        await handler.OnUnhandledExceptionAsync(ExceptionDispatchInfo.Capture(new ObjectDisposedException("LoggerFactory")));
    }
}
