using System.Security.Cryptography;
using System.Text;
using Referrals.Contact;

namespace Referrals.Messages;

/// <summary>
/// Names of the files written for review (`referrals decide --emails`, `referrals run`): readable, file-system safe and
/// stable, so two runs over the same snapshots can be compared file by file: crime, version, victim, a hash of the
/// three (two references that differ only in characters a file name cannot hold stay apart), and the channel.
/// </summary>
public static class ReviewFiles
{
    /// <param name="crimeVersion">Null for what `run` sent: a victim is written to once per channel whichever version.</param>
    public static string Name(string crimeReference, long? crimeVersion, string victimId, Channel channel)
    {
        var extension = channel switch
        {
            Channel.Email => "eml",
            Channel.Sms => "txt",
            _ => "html",
        };
        var version = crimeVersion is { } v ? $"_v{v}" : string.Empty;
        return $"{Safe(crimeReference)}{version}_{Safe(victimId)}_{StableId(crimeReference, crimeVersion, victimId)[..8]}_{channel.Word()}.{extension}";
    }

    internal static string StableId(string crimeReference, long? crimeVersion, string victimId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{crimeReference}\n{crimeVersion}\n{victimId}")));

    private static string Safe(string text) =>
        new([.. text.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);
}
