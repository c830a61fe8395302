using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Referrals.StandIns.Services;

namespace Referrals.LocalHost;

/// <summary>
/// The services' APIs on a local run: the loopback stand-in (<see cref="ServicesStandIn"/>), each body written to the
/// outbox's services-api folder, and the services directory pointed at it.
/// </summary>
public static class LocalServices
{
    /// <summary>The API key the local directory's key settings hold.</summary>
    public const string ApiKey = "local-service-key";

    /// <summary>Starts the stand-in; with no outbox nothing is written, else each body goes to its services-api folder.</summary>
    public static async Task<ServicesStandIn> StartAsync(Outbox? outbox)
    {
        var standIn = await ServicesStandIn.StartAsync();
        if (outbox is not null)
        {
            Directory.CreateDirectory(Path.Combine(outbox.Path, Outbox.ServicesApiFolder));
            standIn.OnAccepted = async (service, key, body) =>
            {
                var safe = new string([.. key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
                var file = Path.Combine(outbox.Path, Outbox.ServicesApiFolder, string.Create(CultureInfo.InvariantCulture, $"{SafeName(service)}_{safe}.json"));
                await File.WriteAllBytesAsync(outbox.Record(file), body);
            };
        }

        return standIn;
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

    private static string SafeName(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
}

/// <summary>Stands in for Entra ID on a local run: services whose directory entry asks for a token get this one.</summary>
public sealed class LocalTokenCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("local-entra-token", DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
