using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Text;
using Referrals.Contact;
using Referrals.Messages;
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
            Body = Alternative(email.TextBody, email.HtmlBody),
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(string.Empty, to));
        message.Headers.Add(HeaderId.ContentLanguage, email.ContentLanguage);
        return message;
    }

    /// <summary>
    /// The plain-text and HTML parts (HTML only when there is one), quoted-printable. The boundary comes from the
    /// content rather than chance, so the same email is the same file in every run; it starts "=-", which a
    /// quoted-printable line can never hold (it writes "=" as "=3D").
    /// </summary>
    public static MimeEntity Alternative(string textBody, string? htmlBody)
    {
        if (htmlBody is null)
        {
            return Part(TextFormat.Plain, textBody);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(textBody + "\0" + htmlBody));
        var alternative = new MultipartAlternative { Boundary = "=-" + Convert.ToHexStringLower(hash)[..32] };
        alternative.Add(Part(TextFormat.Plain, textBody));
        alternative.Add(Part(TextFormat.Html, htmlBody));
        return alternative;
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

    /// <summary>A readable, file-system-safe name, unique per crime, version, victim and channel (<see cref="ReviewFiles"/>).</summary>
    public static string FileName(EntitlementEmail email) =>
        ReviewFiles.Name(email.CrimeReference, email.CrimeVersion, email.VictimId, Channel.Email);

    private static string StableId(EntitlementEmail email) => ReviewFiles.StableId(email.CrimeReference, email.CrimeVersion, email.VictimId);

    [GeneratedRegex("^[a-z]{2,8}(-[a-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
