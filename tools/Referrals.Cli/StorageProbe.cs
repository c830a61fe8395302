using System.Net.Sockets;
using Azure;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Storage;

namespace Referrals.Cli;

/// <summary>
/// One cheap request before a command touches storage, with a deadline, so an operator learns in one line and within
/// seconds that storage is unreachable or refuses the credentials, whatever the command would have asked first.
/// </summary>
internal static class StorageProbe
{
    /// <summary>Storage that has not answered by then will not help an operator at a prompt (docs/operations.md: within 10 s).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);

    /// <summary>An operator at a prompt wants an answer in about a second, not the handlers' patient retries.</summary>
    public static readonly StorageRetry CliRetry = new(2, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));

    /// <summary>The probe of `run --storage CONNECTION`, before anything starts on it.</summary>
    public static Task<string?> ProblemAsync(string connectionString, CancellationToken cancellationToken) =>
        ProblemAsync(new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [Settings.StorageConnection] = connectionString }).Build(), [], CliRetry),
            new PipelineOptions().CrimeEventsQueue, cancellationToken);

    /// <summary>Null when storage answered and took the credentials; else why not, in one line (never quoting a key).</summary>
    /// <remarks>
    /// Any answer but a refused signature counts as reachable: an identity allowed only what its command needs (a
    /// sender role on one queue, say) may be refused this request and still do its work.
    /// </remarks>
    public static async Task<string?> ProblemAsync(StorageClients clients, string queue, CancellationToken cancellationToken)
    {
        var where = clients.Queues.Uri.GetLeftPart(UriPartial.Authority);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await clients.Queues.GetQueueClient(queue).ExistsAsync(deadline.Token);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 403 && ex.ErrorCode is "AuthenticationFailed")
        {
            return $"storage at {where} refused the credentials (403 AuthenticationFailed): is the account key in --storage / ReferralsStorage right?";
        }
        catch (RequestFailedException ex) when (ex.Status != 0)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unreachable(where, $"no answer within {Deadline.TotalSeconds:0} s");
        }
        catch (AuthenticationFailedException ex)
        {
            return $"no Azure sign-in for identity-based storage ({FirstLine(ex.Message)}); run `az login`, or pass --storage.";
        }
        catch (Exception ex) when (Reason(ex) is { } reason)
        {
            return Unreachable(where, reason);
        }
    }

    public static string Unreachable(string where, string reason) =>
        $"storage at {where} cannot be reached ({reason}). Is Azurite running (`referrals azurite`), or is --storage / ReferralsStorage right?";

    /// <summary>Why storage could not be reached at all, or null when it answered.</summary>
    public static string? Reason(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Select(Reason).FirstOrDefault(r => r is not null),
        RequestFailedException { Status: 0 } failed => failed.InnerException is { } inner ? Reason(inner) ?? FirstLine(inner.Message) : FirstLine(failed.Message),
        HttpRequestException { InnerException: SocketException socket } => socket.Message,
        HttpRequestException http => FirstLine(http.Message),
        SocketException socket => socket.Message,
        TaskCanceledException or TimeoutException => "no answer in time",
        IOException io => FirstLine(io.Message),
        _ => null,
    };

    public static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
