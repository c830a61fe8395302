using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Text;
using Referrals.Rendering;

namespace Referrals.Emails;

/// <summary>
/// Writes an entitlement email as a MIME (.eml) file with a plain-text and an HTML part, for review. The headers
/// are exactly From, To, Subject, Date, Message-Id, Content-Language and the MIME ones: the subject is made one
/// line, the recipient must be one bare address and the language a language tag, whoever built the email.
/// </summary>
public static partial class EmlWriter
{
    public static MimeMessage ToMime(EntitlementEmail email, MailboxAddress from, DateTimeOffset date)
    {
        if (!SafeContact.TryEmail(email.To, out var to))
        {
            throw new ArgumentException("The email's recipient is not a single valid address.", nameof(email));
        }

        if (!LanguageTag().IsMatch(email.Language) || (email.SecondLanguage is { } second && !LanguageTag().IsMatch(second)))
        {
            throw new ArgumentException("The email's language is not a language tag.", nameof(email));
        }

        var message = new MimeMessage
        {
            Subject = SafeText.OneLine(email.Subject),
            Date = date,
            MessageId = $"{StableId(email)}@referrals.invalid",
            Body = new MultipartAlternative { Part(TextFormat.Plain, email.TextBody), Part(TextFormat.Html, email.HtmlBody) },
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(string.Empty, to));
        message.Headers.Add(HeaderId.ContentLanguage, email.ContentLanguage);
        return message;
    }

    /// <summary>
    /// Quoted-printable UTF-8: every line stays 7-bit and under 76 characters, so an accented name or a Welsh
    /// letter (ŵ, ŷ) reaches the reader as written, and the plain text stays readable in the raw message.
    /// </summary>
    private static TextPart Part(TextFormat format, string text)
    {
        var part = new TextPart(format) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, text);
        return part;
    }

    public static async Task<string> WriteAsync(EntitlementEmail email, MailboxAddress from, DateTimeOffset date, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName(email));
        using var message = ToMime(email, from, date);
        await message.WriteToAsync(path, cancellationToken);
        return path;
    }

    /// <summary>A readable, file-system-safe name, unique per crime, version and victim.</summary>
    public static string FileName(EntitlementEmail email) =>
        $"{Safe(email.CrimeReference)}_v{email.CrimeVersion}_{Safe(email.VictimId)}_{StableId(email)[..8]}.eml";

    private static string Safe(string text) =>
        new([.. text.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')]);

    private static string StableId(EntitlementEmail email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{email.CrimeReference}\n{email.CrimeVersion}\n{email.VictimId}")));

    [GeneratedRegex("^[a-z]{2,8}(-[a-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
