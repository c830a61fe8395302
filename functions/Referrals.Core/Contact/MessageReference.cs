using System.Text;

namespace Referrals.Contact;

/// <summary>
/// The reference given to GOV.UK Notify with a message: opaque (nothing in it reads as a crime, a victim or a person)
/// yet ours to read back when its receipt comes, so no lookup table is needed. It names the send (attempt), so a
/// receipt about an earlier send of a message sent again is recognised as stale.
/// </summary>
public static class MessageReference
{
    private const string Prefix = "rf1.";

    public static string For(string crimeReference, string victimId, Channel channel, int attempt) =>
        $"{Prefix}{Base64Url($"{crimeReference}\u001f{victimId}")}.{(channel == Channel.Sms ? 's' : 'l')}{attempt}";

    public static bool TryParse(string? reference, out (string CrimeReference, string VictimId, Channel Channel, int Attempt) parsed)
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
}
