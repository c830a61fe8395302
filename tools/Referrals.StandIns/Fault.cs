using Microsoft.AspNetCore.Http;

namespace Referrals.StandIns;

/// <summary>How a stand-in misbehaves with a request it has accepted (and stored) when a test asks it to.</summary>
public enum Fault
{
    None,

    /// <summary>500 with the provider's error body, after accepting.</summary>
    Status500,

    /// <summary>503, as a proxy in front of the provider answers, after accepting.</summary>
    Status503,

    /// <summary>The connection is reset after accepting: no answer at all.</summary>
    DropConnection,

    /// <summary>No answer until the client gives up (or <see cref="Faults.StallFor"/> passes), after accepting.</summary>
    Stall,
}

/// <summary>What a stand-in does to the answer of each accepted request, chosen by a key (Notify: the reference; SendGrid: the recipient; the services: the Idempotency-Key).</summary>
public sealed class Faults
{
    public Func<string?, Fault> For { get; set; } = _ => Fault.None;

    /// <summary>How long a stalled request is held before its connection is dropped.</summary>
    public TimeSpan StallFor { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Applies the fault; true when the answer was replaced (nothing more to write).</summary>
    internal async Task<bool> ApplyAsync(HttpContext context, Fault fault, string errorBody)
    {
        switch (fault)
        {
            case Fault.Status500 or Fault.Status503:
                await LoopbackServer.AnswerAsync(context, fault == Fault.Status500 ? 500 : 503, errorBody.Replace("{status}", fault == Fault.Status500 ? "500" : "503", StringComparison.Ordinal));
                return true;
            case Fault.DropConnection:
                context.Abort();
                return true;
            case Fault.Stall:
                try
                {
                    await Task.Delay(StallFor, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up first.
                }

                context.Abort();
                return true;
            default:
                return false;
        }
    }
}
