using System.Text.RegularExpressions;

namespace Referrals.Emails;

/// <summary>One language's templates: Mustache files a non-developer can edit.</summary>
public sealed record EmailTemplateSet(string Language, string Subject, string TextBody, string HtmlBody, string Preview = "");

/// <summary>
/// The entitlement email templates, one folder per language (<c>en</c>, <c>cy</c>, …) each holding
/// <c>subject.mustache</c>, <c>preview.mustache</c> (the line a mail app shows beside the subject), <c>body.txt.mustache</c>
/// and <c>body.html.mustache</c> (the body's part of an HTML document: the composer adds the page around it). All are read at
/// start-up, so a victim's language tag is only ever a key into this set, never a path.
/// </summary>
public sealed partial class EmailTemplates
{
    public const string DefaultFolder = "Emails/Templates";
    public const string FallbackLanguage = "en";

    private readonly Dictionary<string, EmailTemplateSet> _byLanguage;

    public EmailTemplates(IEnumerable<EmailTemplateSet> sets)
    {
        _byLanguage = sets.ToDictionary(s => s.Language.ToLowerInvariant(), StringComparer.Ordinal);
        if (!_byLanguage.ContainsKey(FallbackLanguage))
        {
            throw new InvalidDataException($"The email templates must include the '{FallbackLanguage}' language, used when no other fits.");
        }
    }

    public IEnumerable<string> Languages => _byLanguage.Keys;

    public bool Has(string language) => _byLanguage.ContainsKey(language);

    public static EmailTemplates LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, DefaultFolder));

    public static EmailTemplates Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The email templates folder was not found at '{folder}'.");
        }

        var sets = new List<EmailTemplateSet>();
        foreach (var languageFolder in Directory.EnumerateDirectories(folder))
        {
            var language = Path.GetFileName(languageFolder).ToLowerInvariant();
            if (!LanguageTag().IsMatch(language))
            {
                throw new InvalidDataException($"Email template folder '{languageFolder}' must be named by a language tag such as 'en' or 'cy'.");
            }

            sets.Add(new EmailTemplateSet(
                language,
                Read(languageFolder, "subject.mustache").Trim(),
                Read(languageFolder, "body.txt.mustache"),
                Read(languageFolder, "body.html.mustache"),
                Read(languageFolder, "preview.mustache").Trim()));
        }

        return new EmailTemplates(sets);
    }

    /// <summary>The victim's language if a template exists ("cy-GB" falls back to "cy"), else English.</summary>
    public EmailTemplateSet For(string? preferredLanguage)
    {
        var tag = preferredLanguage?.Trim().ToLowerInvariant();
        if (tag is not null && LanguageTag().IsMatch(tag))
        {
            if (_byLanguage.TryGetValue(tag, out var exact))
            {
                return exact;
            }

            if (_byLanguage.TryGetValue(tag.Split('-')[0], out var primary))
            {
                return primary;
            }
        }

        return _byLanguage[FallbackLanguage];
    }

    private static string Read(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"Email template '{path}' is missing.", path);
    }

    [GeneratedRegex("^[a-z]{2,8}(-[a-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
