using System.Text;

namespace Referrals.Pipeline.Storage;

/// <summary>
/// Table keys may not contain '/', '\', '#', '?' or control characters, and crime references have '/'.
/// These are escaped like URL percent-encoding, so keys stay readable and never collide.
/// </summary>
public static class TableKeys
{
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '%' or '/' or '\\' or '#' or '?' or '\'' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
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
}
