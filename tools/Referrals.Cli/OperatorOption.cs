using System.CommandLine;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;
using Referrals.Pipeline.Configuration;

namespace Referrals.Cli;

/// <summary>
/// Who runs an audited command (`replay`, `erase`, `subject-access`): `--operator`, else the REFERRALS_OPERATOR
/// environment variable, else the signed-in Azure identity when storage is reached with it, else the local user name.
/// </summary>
internal sealed class OperatorOption
{
    public Option<string?> Option { get; } = new("--operator")
    {
        Description = "Who is running this command, for the audit trail. Default: REFERRALS_OPERATOR, else your Azure sign-in (identity-based storage), else the local user name.",
    };

    public void AddTo(Command command) => command.Options.Add(Option);

    public async Task<string> OfAsync(ParseResult parse, StorageCommandOptions storage, CancellationToken cancellationToken)
    {
        var named = parse.GetValue(Option) ?? Environment.GetEnvironmentVariable("REFERRALS_OPERATOR");
        if (string.IsNullOrWhiteSpace(named) && parse.GetValue(storage.Storage) is null
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable($"{Settings.StorageConnection}__tableServiceUri")))
        {
            named = await SignedInAsync(cancellationToken);
        }

        var name = string.IsNullOrWhiteSpace(named) ? $"local user {Environment.UserName}" : named.Trim();

        // One line of plain text in the audit, whatever was typed.
        return new string([.. name.Where(c => !char.IsControl(c)).Take(200)]);
    }

    /// <summary>The user (or app) named by an Entra ID access token: its upn, preferred_username, unique_name, or object id.</summary>
    public static string? NameInToken(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
            foreach (var claim in new[] { "upn", "preferred_username", "unique_name", "oid" })
            {
                if (claims.RootElement.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } found)
                {
                    return claim == "oid" ? $"azure object {found}" : found;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            // Not a token we can read: fall back to the local name.
        }

        return null;
    }

    private static async Task<string?> SignedInAsync(CancellationToken cancellationToken)
    {
        try
        {
            var token = await new DefaultAzureCredential().GetTokenAsync(new TokenRequestContext(["https://storage.azure.com/.default"]), cancellationToken);
            return NameInToken(token.Token);
        }
        catch (AuthenticationFailedException)
        {
            return null;
        }
    }
}
