using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.Hosting;

namespace Referrals.LocalHost;

/// <summary>
/// The WebJobs default ends the process on any unhandled listener exception. One is expected in the local host:
/// a batch whose fetch was already on the wire when the host drained runs after the host is disposed, and
/// fails to log its completion (ObjectDisposedException). Its message was not deleted, so it is delivered
/// again (at-least-once; every handler is idempotent). That one is let go once the host is stopping, so a
/// test run or `referrals run` is not killed by its own shutdown; anything else still ends the process.
/// </summary>
public sealed class LocalExceptionHandler(IHostApplicationLifetime lifetime) : IWebJobsExceptionHandlerFactory, IWebJobsExceptionHandler
{
    private readonly CancellationToken _stopping = lifetime.ApplicationStopping;

    public IWebJobsExceptionHandler Create(IHost jobHost) => this;

    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod) =>
        OnUnhandledExceptionAsync(exceptionInfo);

    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
    {
        if (IsShutdownRace(exceptionInfo.SourceException))
        {
            return Task.CompletedTask;
        }

        // As the default handler does: rethrow on a thread of its own, which ends the process.
        var thread = new Thread(exceptionInfo.Throw) { IsBackground = false };
        thread.Start();
        thread.Join();
        return Task.CompletedTask;
    }

    private bool IsShutdownRace(Exception exception) =>
        _stopping.IsCancellationRequested && exception is ObjectDisposedException or OperationCanceledException;
}
