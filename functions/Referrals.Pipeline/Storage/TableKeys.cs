using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Referrals.Pipeline.Storage;

/// <summary>
/// Table keys may not contain '/', '\', '#', '?' or control characters, and crime references have '/'. An id is
/// escaped like URL percent-encoding, so keys stay readable and never collide; an id whose escaped form is too long
/// for a key (or is not well-formed UTF-16) is replaced by a hash. See docs/architecture.md, "Keys".
/// </summary>
public static class TableKeys
{
    /// <summary>
    /// The longest escaped id kept as is. A row key holds at most two ids and a short prefix, and Azurite refuses keys
    /// over 512 characters (Azure: 1 KiB), so two of these always fit.
    /// </summary>
    public const int MaxEscapedLength = 200;

    /// <summary>Begins every hashed id. <see cref="Escape"/> writes '%' only before two hex digits, so no escaped id begins so.</summary>
    public const string HashPrefix = "%h";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The key form of an id: escaped when that is short enough, else <see cref="HashPrefix"/> and the SHA-256 (hex) of its UTF-16 code units.</summary>
    public static string Id(string value)
    {
        var escaped = Escape(value);
        return escaped.Length <= MaxEscapedLength && IsWellFormed(value) ? escaped : Hash(value);
    }

    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '%' or '/' or '\\' or '#' or '?' or '\'' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>An OData string literal for a filter, with quotes doubled.</summary>
    public static string Quote(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    // The UTF-16 code units as they are (little-endian), so even a lone surrogate hashes without loss.
    private static string Hash(string value) =>
        HashPrefix + Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(value.AsSpan())));

    private static bool IsWellFormed(string value)
    {
        try
        {
            StrictUtf8.GetByteCount(value);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
