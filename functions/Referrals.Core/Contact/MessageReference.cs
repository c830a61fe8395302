using System.Text;

namespace Referrals.Contact;

/// <summary>
/// What a message carries so that its receipt finds it again, without a lookup table. GOV.UK Notify's
/// <c>reference</c> (<see cref="Notify"/>): opaque (nothing in it reads as a crime, a victim or a person) and naming
/// the send (attempt), so a receipt about an earlier send of a message sent again is recognised as stale. An email's
/// (<see cref="Email"/>): the crime reference and victim id of the <c>custom_args</c> the pipeline sets on every email,
/// joined so that neither can be mistaken for the other whatever characters they hold.
/// </summary>
public static class MessageReference
{
    private const string Prefix = "rf1.";
    private const char Separator = '|';

    public static string Notify(string crimeReference, string victimId, Channel channel, int attempt) =>
        $"{Prefix}{Base64Url($"{crimeReference}\u001f{victimId}")}.{(channel == Channel.Sms ? 's' : 'l')}{attempt}";

    public static bool TryParseNotify(string? reference, out (string CrimeReference, string VictimId, Channel Channel, int Attempt) parsed)
    {
        parsed = default;
        var parts = reference?.Split('.');
        if (parts is not [_, var ids, var send] || !reference!.StartsWith(Prefix, StringComparison.Ordinal) || send.Length < 2
            || send[0] is not ('s' or 'l') || !int.TryParse(send.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var attempt))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(ids.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (ids.Length % 4)) % 4)));
            if (text.Split('\u001f') is not [var crime, var victim] || crime.Length == 0 || victim.Length == 0)
            {
                return false;
            }

            parsed = (crime, victim, send[0] == 's' ? Channel.Sms : Channel.Letter, attempt);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

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
