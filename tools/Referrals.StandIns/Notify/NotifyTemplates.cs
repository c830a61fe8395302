using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Referrals.StandIns.Notify;

/// <summary>A template as a service sets it up in Notify: "sms" or "letter", and its content (a letter's may have a Welsh half first).</summary>
/// <param name="WelshContent">A bilingual letter's Welsh half (Notify's <c>letter_welsh_content</c>), printed before the English.</param>
public sealed record NotifyStandInTemplate(string Type, string Content, string? WelshContent = null, int Version = 1);

/// <summary>
/// Notify's placeholders and how it fills them in, written from alphagov/notifications-utils at commit
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf: <c>notifications_utils/field.py</c> (<c>Placeholder</c> lines 15-48, the
/// pattern 68-72, <c>get_replacement</c> 150-164 with lists 166-169, <c>str2bool</c> 206-209),
/// <c>notifications_utils/insensitive_dict.py</c> (names match ignoring case, spaces, "_" and "-", lines 17-36) and
/// <c>notifications_utils/template.py</c> (<c>missing_data</c> 141-143; a text message's content 309-330, its count
/// 229-244 and limit 289-296; a letter's placeholders, 682-690).
/// </summary>
internal static partial class NotifyTemplates
{
    /// <summary>SMS_CHAR_COUNT_LIMIT (notifications_utils/__init__.py).</summary>
    public const int SmsCharacterLimit = 918;

    /// <summary>InsensitiveDict's key: lower case, without spaces, "_" or "-".</summary>
    public static string Key(string name) => new([.. name.Where(c => c is not (' ' or '_' or '-')).Select(char.ToLowerInvariant)]);

    /// <summary>The placeholder names a template uses, first use first, once each (insensitively).</summary>
    public static IReadOnlyList<string> Placeholders(NotifyStandInTemplate template)
    {
        // A letter's address block is not among them (BaseLetterTemplate.placeholders, lines 682-690): validate_address judges it.
        var texts = template.Type == "letter" ? [template.WelshContent ?? string.Empty, template.Content] : new[] { template.Content };
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in texts.SelectMany(t => Placeholder().Matches(t)))
        {
            var name = match.Groups[1].Value.Split("??")[0];
            if (seen.Add(Key(name)))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>The names a template uses that the personalisation does not give (a null value is not given): Notify's "Missing personalisation: a, b".</summary>
    public static IReadOnlyList<string> Missing(NotifyStandInTemplate template, JsonObject personalisation)
    {
        var given = Values(personalisation);
        return [.. Placeholders(template).Where(name => given.GetValueOrDefault(Key(name)) is null)];
    }

    /// <summary>The content with the personalisation filled in (lists as "* " lines for letters, "a, b and c" in a text).</summary>
    public static string Fill(string content, JsonObject personalisation, bool markdownLists)
    {
        var values = Values(personalisation);
        return Placeholder().Replace(content, match =>
        {
            var body = match.Groups[1].Value;
            var name = body.Split("??")[0];
            if (values.GetValueOrDefault(Key(name)) is not { } value)
            {
                return match.Value;
            }

            var replacement = value is JsonArray list ? ListOf(list, markdownLists) : Str(value);
            return body.Contains("??", StringComparison.Ordinal)
                ? (Str2Bool(replacement) ? string.Join("??", body.Split("??")[1..]) : string.Empty)
                : replacement;
        });
    }

    /// <summary>A text message exactly as Notify sends it (SMSMessageTemplate.__str__ without a prefix).</summary>
    public static string SmsBody(string content, JsonObject personalisation)
    {
        var filled = Fill(content, personalisation, markdownLists: false);
        var tidy = NotifyText.PythonStrip(NotifyText.NormaliseMultipleNewlines(string.Join("\n",
            NotifyText.SplitLines(NotifyText.RemoveWhitespaceBeforePunctuation(filled)).Select(NotifyText.NormaliseWhitespace))));
        return NotifyText.Sanitise(tidy, NotifyText.SmsAllowed);
    }

    private static Dictionary<string, JsonNode?> Values(JsonObject personalisation)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in personalisation)
        {
            values[Key(name)] = value;
        }

        return values;
    }

    private static string ListOf(JsonArray list, bool markdown)
    {
        var items = list.Where(i => i is not null).Select(i => Str(i!).Trim(NotifyText.AllWhitespace.ToCharArray())).Where(i => i.Length > 0).ToList();
        return items.Count == 0 ? string.Empty
            : markdown ? "\n\n" + string.Join("\n", items.Select(i => $"* {i}"))
            : NotifyText.FormattedList(items);
    }

    private static string Str(JsonNode value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.True => "True",
        System.Text.Json.JsonValueKind.False => "False",
        _ => value.ToJsonString(),
    };

    private static bool Str2Bool(string value) => value.ToLowerInvariant() is "yes" or "y" or "true" or "t" or "1" or "include" or "show";

    [GeneratedRegex(@"\(\(([^()]+)\)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
