using System.Text.RegularExpressions;

namespace Referrals.Messages;

/// <summary>One language's text message and letter, as GOV.UK Notify template content (paste them into Notify).</summary>
public sealed record NotifyTemplateSet(string Language, string TextMessage, string Letter);

/// <summary>
/// The text message and letter templates, one folder per language (<c>Messages/Templates/en</c>, <c>cy</c>) each
/// holding <c>text.txt</c> and <c>letter.md</c> in Notify's template language (<see cref="NotifyTemplate"/>). Read at
/// start-up and checked: a name that is not one of <see cref="TextMessageNames"/> or <see cref="LetterNames"/>
/// stops the app, rather than Notify refusing every message later.
/// </summary>
public sealed partial class MessageTemplates
{
    public const string DefaultFolder = "Messages/Templates";

    public static readonly IReadOnlySet<string> TextMessageNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "force_name", "crime_reference", "bereaved", "stay_safe", "help",
    };

    public static readonly IReadOnlySet<string> LetterNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5", "address_line_6", "address_line_7",
        "force_name", "crime_reference", "greeting", "stay_safe", "bereaved", "for_child", "for_victim", "auto_referred", "referred",
        "referred_services", "awaiting_consent", "declined", "opted_out", "no_service_referred", "enhanced", "standard", "services",
        "officer", "vcu_phone", "vcu_email", "force_phone_wording", "force_website", "privacy_url",
    };

    private readonly Dictionary<string, NotifyTemplateSet> _byLanguage;

    public MessageTemplates(IEnumerable<NotifyTemplateSet> sets)
    {
        _byLanguage = sets.ToDictionary(s => s.Language, StringComparer.Ordinal);
        if (!_byLanguage.ContainsKey("en"))
        {
            throw new InvalidDataException("The text message and letter templates must include English ('en'), used when no other fits.");
        }

        foreach (var set in _byLanguage.Values)
        {
            Check(set.Language, "text.txt", set.TextMessage, TextMessageNames);
            Check(set.Language, "letter.md", set.Letter, LetterNames);
        }
    }

    public IEnumerable<string> Languages => _byLanguage.Keys;

    public static MessageTemplates LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, DefaultFolder));

    public static MessageTemplates Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The text message and letter templates folder was not found at '{folder}'.");
        }

        return new MessageTemplates(Directory.EnumerateDirectories(folder).Select(languageFolder =>
        {
            var language = Path.GetFileName(languageFolder).ToLowerInvariant();
            return LanguageTag().IsMatch(language)
                ? new NotifyTemplateSet(language, Read(languageFolder, "text.txt").Trim(), Read(languageFolder, "letter.md"))
                : throw new InvalidDataException($"Template folder '{languageFolder}' must be named by a language tag such as 'en' or 'cy'.");
        }));
    }

    /// <summary>The victim's language if a template exists ("cy-GB" falls back to "cy"), else English.</summary>
    public NotifyTemplateSet For(string? preferredLanguage)
    {
        var tag = preferredLanguage?.Trim().ToLowerInvariant();
        if (tag is not null && LanguageTag().IsMatch(tag))
        {
            if (_byLanguage.TryGetValue(tag, out var exact) || _byLanguage.TryGetValue(tag.Split('-')[0], out exact))
            {
                return exact;
            }
        }

        return _byLanguage["en"];
    }

    public bool Has(string language) => _byLanguage.ContainsKey(language);

    /// <summary>
    /// The Welsh half of the bilingual letter template (Notify prints it first, then the English <c>letter.md</c>): the
    /// Welsh <c>letter.md</c> with every name but the address lines ending <see cref="WelshSuffix"/>; null without Welsh.
    /// </summary>
    public string? BilingualWelshLetter => _byLanguage.TryGetValue("cy", out var welsh) ? NotifyTemplate.Suffixed(welsh.Letter, WelshSuffix, IsAddressLine) : null;

    /// <summary>The ending of the Welsh half's names in a bilingual letter's personalisation.</summary>
    public const string WelshSuffix = "_cy";

    /// <summary>Ignoring case, as Notify matches names.</summary>
    public static bool IsAddressLine(string name) => name.StartsWith("address_line_", StringComparison.OrdinalIgnoreCase);

    private static void Check(string language, string file, string template, IReadOnlySet<string> known)
    {
        if (NotifyTemplate.Placeholders(template).FirstOrDefault(name => !known.Contains(name)) is { } unknown)
        {
            throw new InvalidDataException($"Template {language}/{file} uses (({unknown})), which is not one of: {string.Join(", ", known)}.");
        }
    }

    private static string Read(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"Template '{path}' is missing.", path);
    }

    [GeneratedRegex("^[a-z]{2,8}(-[a-z0-9]{1,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();
}
