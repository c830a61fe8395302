using System.Text;
using System.Text.Json;

namespace Referrals.Pipeline.SignIn;

/// <summary>
/// The signed-in user as App Service authentication passes it on: the <c>X-MS-CLIENT-PRINCIPAL</c> header, Base64 JSON
/// <c>{"auth_typ","name_typ","role_typ","claims":[{"typ","val"}]}</c>. The platform sets it after Entra ID sign-in and
/// removes any copy a client sends, so the app can trust it only while App Service authentication is on: that is
/// <see cref="SignInGate"/>'s to check, first. Only the role claims are read, never a name.
/// </summary>
public static class ClientPrincipal
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The largest header worth reading: a principal with many groups is a few kilobytes.</summary>
    private const int MaxHeaderLength = 64 * 1024;

    public enum Access
    {
        Allowed,

        /// <summary>No principal: not signed in (401).</summary>
        NotSignedIn,

        /// <summary>Signed in without the app role (403).</summary>
        NoRole,
    }

    public static Access Check(string? header, string role)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength)
        {
            return Access.NotSignedIn;
        }

        try
        {
            using var json = JsonDocument.Parse(Convert.FromBase64String(header.Trim()));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return Access.NotSignedIn;
            }

            var roleType = root.TryGetProperty("role_typ", out var typ) && typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
            var hasRole = claims.EnumerateArray().Any(c =>
                c.ValueKind == JsonValueKind.Object
                && c.TryGetProperty("typ", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { } type
                && (type == roleType || type is "roles" or "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
                && c.TryGetProperty("val", out var v) && v.ValueKind == JsonValueKind.String && string.Equals(v.GetString(), role, StringComparison.Ordinal));
            return hasRole ? Access.Allowed : Access.NoRole;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return Access.NotSignedIn;
        }
    }
}
