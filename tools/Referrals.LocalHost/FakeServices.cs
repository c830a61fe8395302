using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace Referrals.LocalHost;

/// <summary>
/// The commissioned services' APIs, on loopback for local runs: POST /{serviceId}/referrals is answered 201, or 409
/// for an Idempotency-Key already seen, like a partner that dedupes; each body is written to the outbox. Nothing
/// leaves the machine.
/// </summary>
public sealed class FakeServices : IAsyncDisposable
{
    /// <summary>The API key the local directory's key settings hold.</summary>
    public const string ApiKey = "local-service-key";

    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly Outbox? _outbox;
    private readonly LoopbackListener _listener;

    private FakeServices(Outbox? outbox)
    {
        _outbox = outbox;
        _listener = new LoopbackListener(HandleAsync);
    }

    public string Url => _listener.Url;

    public int Count => _seen.Count;

    /// <summary>Starts the stand-ins; with no outbox nothing is written, else each body goes to its services-api folder.</summary>
    public static FakeServices Start(Outbox? outbox)
    {
        if (outbox is not null)
        {
            Directory.CreateDirectory(Path.Combine(outbox.Path, Outbox.ServicesApiFolder));
        }

        return new FakeServices(outbox);
    }

    /// <summary>
    /// Writes a copy of a services directory whose Http endpoints point at <paramref name="baseUrl"/>/{id}/referrals, so
    /// a local run or a test reaches loopback stand-ins. Everything else is as in the original.
    /// </summary>
    public static string WriteLocalDirectory(string source, string baseUrl, string target)
    {
        var directory = JsonNode.Parse(File.ReadAllText(source), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        foreach (var service in directory["services"]!.AsArray())
        {
            if ((string?)service!["referral"]?["channel"] == "Http")
            {
                service["referral"]!["endpoint"] = $"{baseUrl}/{(string?)service["id"]}/referrals";
            }
        }

        if ((string?)directory["victimCareUnit"]?["referral"]?["channel"] == "Http")
        {
            directory["victimCareUnit"]!["referral"]!["endpoint"] = $"{baseUrl}/vcu/referrals";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
        File.WriteAllText(target, directory.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Path.GetFullPath(target);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var segments = request.Url!.AbsolutePath.Trim('/').Split('/');
        if (segments is not [var service, "referrals"])
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (request.HttpMethod != "POST")
        {
            context.Response.StatusCode = 405;
            return;
        }

        if (request.Headers["Idempotency-Key"] is not { Length: > 0 } key)
        {
            context.Response.StatusCode = 400;
            return;
        }

        // A partner reads the whole document before it takes the key: one it cannot read is a 400 and is not remembered.
        var body = await LoopbackListener.ReadBodyAsync(request);
        LoopbackListener.ParseJson(body).Dispose();

        if (!_seen.TryAdd(key, 0))
        {
            context.Response.StatusCode = 409;
            return;
        }

        var safe = new string([.. key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
        if (_outbox is not null)
        {
            var file = Path.Combine(_outbox.Path, Outbox.ServicesApiFolder, string.Create(CultureInfo.InvariantCulture, $"{service}_{safe}.json"));
            await File.WriteAllBytesAsync(_outbox.Record(file), body);
        }

        context.Response.StatusCode = 201;
    }
}

/// <summary>Stands in for Entra ID on a local run: services whose directory entry asks for a token get this one.</summary>
public sealed class LocalTokenCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("local-entra-token", DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
