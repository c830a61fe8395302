using System.Text;
using System.Text.Json;

namespace Referrals.Pipeline.SignIn;

/// <summary>
/// The signed-in user as App Service authentication passes it on: the <c>X-MS-CLIENT-PRINCIPAL</c> header, Base64 JSON
/// <c>{"auth_typ","name_typ","role_typ","claims":[{"typ","val"}]}</c>. The platform sets it after Entra ID sign-in and
/// removes any copy a client sends, so the app can trust it only while App Service authentication is on: that is
/// <see cref="SignInGate"/>'s to check, first. <see cref="Check"/> reads the role claims only; <see cref="Who"/> reads who
/// the person is, for the pages that record what a person did (the worklist's audit entries).
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

    /// <summary>Entra ID's object id claim: the signed-in person's stable id (names can change).</summary>
    private static readonly string[] IdClaims = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];

    /// <summary>
    /// Who the principal is: a stable id (the object id, else the name) and a name for the audit trail (the name_typ claim,
    /// else preferred_username or name), one line of at most 200 characters; null when the header cannot be read or names
    /// nobody. Call it only after <see cref="Check"/> allowed the request.
    /// </summary>
    public static SignedInPerson? Who(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(Convert.FromBase64String(header.Trim()));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var nameType = root.TryGetProperty("name_typ", out var typ) && typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
            string? Claim(params string?[] types) => types.OfType<string>()
                .Select(type => claims.EnumerateArray().FirstOrDefault(c => c.ValueKind == JsonValueKind.Object
                    && c.TryGetProperty("typ", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type
                    && c.TryGetProperty("val", out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())))
                .Where(c => c.ValueKind == JsonValueKind.Object).Select(c => OneLine(c.GetProperty("val").GetString()!)).FirstOrDefault(v => v.Length > 0);
            var name = Claim(nameType, "preferred_username", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name");
            var id = Claim(IdClaims) ?? name;
            return name is null || id is null ? null : new SignedInPerson(id, name);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>A value as one line of plain text, at most 200 characters: no claim adds a line to the audit trail.</summary>
    private static string OneLine(string value) => new([.. Referrals.Rendering.SafeText.OneLine(value).Take(200)]);

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

/// <summary>A signed-in person: <paramref name="Id"/> binds the worklist's anti-forgery token; <paramref name="Name"/> is who the audit trail records.</summary>
public sealed record SignedInPerson(string Id, string Name);
