using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Referrals.StandIns.Services;

/// <summary>
/// The commissioned services' APIs on loopback (Kestrel): <c>POST /{serviceId}/referrals</c> answered 201, or 409 for an
/// Idempotency-Key already seen, like a partner that dedupes; 400 without a key or with a body that is not JSON (not
/// remembered). It can be told to misbehave after accepting (<see cref="Faults"/>, by Idempotency-Key).
/// </summary>
public sealed class ServicesStandIn : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private LoopbackServer? _server;

    public string Url => _server?.Url ?? throw new InvalidOperationException("Not started.");

    /// <summary>Deliveries accepted (201).</summary>
    public int Count => _seen.Count;

    /// <summary>Told of each delivery accepted: (service id, Idempotency-Key, body).</summary>
    public Func<string, string, byte[], Task>? OnAccepted { get; set; }

    public Faults Faults { get; } = new();

    /// <summary>What the services report back about the referrals accepted (<see cref="OutcomeReporter"/>).</summary>
    public OutcomeReporter Outcomes { get; } = new();

    public static async Task<ServicesStandIn> StartAsync()
    {
        var standIn = new ServicesStandIn();
        standIn._server = await LoopbackServer.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = (request.Path.Value ?? string.Empty).Trim('/').Split('/');
        if (segments is not [var service, "referrals"])
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.Method != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }

        if (request.Headers["Idempotency-Key"].ToString() is not { Length: > 0 } key)
        {
            context.Response.StatusCode = 400;
            return;
        }

        // A partner reads the whole document before it takes the key: one it cannot read is a 400 and is not remembered.
        var body = await LoopbackServer.ReadBodyAsync(request);
        LoopbackServer.ParseJson(body).Dispose();
        if (!_seen.TryAdd(key, 0))
        {
            context.Response.StatusCode = 409;
            return;
        }

        if (OnAccepted is { } accepted)
        {
            await accepted(service, key, body);
        }

        if (!await Faults.ApplyAsync(context, Faults.For(key), """{"error":"Internal server error"}"""))
        {
            context.Response.StatusCode = 201;
            Outcomes.Accepted(service, body);
        }
    }
}
