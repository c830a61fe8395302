using System.Text;

namespace Referrals.Receipts;

/// <summary>
/// The reference an email's receipt carries: its crime reference and victim id (the <c>custom_args</c> the pipeline
/// sets on every email), joined so that neither can be mistaken for the other whatever characters they hold.
/// </summary>
public static class MessageReferences
{
    private const char Separator = '|';

    public static string Email(string crimeReference, string victimId) => Escape(crimeReference) + Separator + Escape(victimId);

    /// <summary>The crime reference and victim id of a reference made by <see cref="Email"/>, or false.</summary>
    public static bool TryParseEmail(string reference, out string crimeReference, out string victimId)
    {
        crimeReference = victimId = string.Empty;
        var parts = reference.Split(Separator);
        if (parts.Length != 2 || Unescape(parts[0]) is not { Length: > 0 } crime || Unescape(parts[1]) is not { Length: > 0 } victim)
        {
            return false;
        }

        (crimeReference, victimId) = (crime, victim);
        return true;
    }

    private static string Escape(string value) => value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);

    private static string? Unescape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                builder.Append(value[i]);
            }
            else if (value.AsSpan(i).StartsWith("%25", StringComparison.Ordinal))
            {
                builder.Append('%');
                i += 2;
            }
            else if (value.AsSpan(i).StartsWith("%7C", StringComparison.Ordinal))
            {
                builder.Append('|');
                i += 2;
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }
}
