using System.Text;
using System.Text.RegularExpressions;

namespace Referrals.Messages;

/// <summary>
/// GOV.UK Notify's template language, as much of it as our templates use, so that what we count and show for
/// review is what Notify sends: <c>((name))</c> is replaced by its personalisation value and <c>((name??text))</c>
/// shows the text when the value is "yes". Names are matched ignoring case, as Notify does. A list value is
/// written one item per line, each starting "* " (Notify shows a list as bullet points).
/// </summary>
public static partial class NotifyTemplate
{
    public static string Render(string template, IReadOnlyDictionary<string, object> personalisation)
    {
        var values = new Dictionary<string, object>(personalisation, StringComparer.OrdinalIgnoreCase);
        return Placeholder().Replace(template, match =>
        {
            var name = match.Groups["name"].Value.Trim();
            if (!values.TryGetValue(name, out var value))
            {
                throw new KeyNotFoundException($"The template uses (({name})), which the personalisation does not give.");
            }

            if (match.Groups["text"].Success)
            {
                return string.Equals(value as string, "yes", StringComparison.OrdinalIgnoreCase) ? match.Groups["text"].Value : string.Empty;
            }

            return value switch
            {
                IEnumerable<string> list when value is not string => string.Join("\n", list.Select(item => $"* {item}")),
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            };
        });
    }

    /// <summary>The placeholder names a template uses (optional-content names included), in order of first use.</summary>
    public static IReadOnlyList<string> Placeholders(string template) =>
        [.. Placeholder().Matches(template).Select(m => m.Groups["name"].Value.Trim().ToLowerInvariant()).Distinct()];

    /// <summary>
    /// The template with every placeholder but those <paramref name="kept"/> renamed with <paramref name="suffix"/>:
    /// the Welsh half of a bilingual letter template, whose values are the Welsh page's (Notify gives both halves one
    /// personalisation, so a name means the same in both).
    /// </summary>
    public static string Suffixed(string template, string suffix, Func<string, bool> kept) =>
        Placeholder().Replace(template, match =>
        {
            var name = match.Groups["name"].Value.Trim();
            var renamed = kept(name) ? name : name + suffix;
            return match.Groups["text"].Success ? $"(({renamed}??{match.Groups["text"].Value}))" : $"(({renamed}))";
        });

    /// <summary>
    /// Rendered letters or messages as one simple HTML page for review, each in a section with its language: "# " a
    /// heading, "* " a bullet, "1. " a numbered item, a blank line between paragraphs.
    /// </summary>
    public static string ToHtml(IReadOnlyList<(string Language, string Rendered)> pages, string title)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(pages[0].Language).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
            .Append(System.Net.WebUtility.HtmlEncode(title)).Append("</title>\n</head>\n")
            .Append("<body style=\"margin:0;background:#ffffff;color:#0b0c0c;\">\n<main style=\"max-width:640px;margin:0 auto;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;overflow-wrap:anywhere;word-break:break-word;\">\n");
        for (var i = 0; i < pages.Count; i++)
        {
            if (i > 0)
            {
                html.Append("<hr style=\"border:0;border-top:2px solid #b1b4b6;margin:32px 0;\">\n");
            }

            html.Append("<div lang=\"").Append(pages[i].Language).Append("\">\n");
            Body(html, pages[i].Rendered);
            html.Append("</div>\n");
        }

        return html.Append("</main>\n</body>\n</html>\n").ToString();
    }

    private static void Body(StringBuilder html, string rendered)
    {
        string? list = null;
        foreach (var raw in rendered.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            var item = line.StartsWith("* ", StringComparison.Ordinal) ? "ul" : NumberedItem().IsMatch(line) ? "ol" : null;
            if (list is not null && item != list)
            {
                html.Append("</").Append(list).Append(">\n");
                list = null;
            }

            var encoded = System.Net.WebUtility.HtmlEncode(line);
            if (item is not null)
            {
                if (list is null)
                {
                    html.Append('<').Append(item).Append(">\n");
                    list = item;
                }

                html.Append("<li>").Append(item == "ul" ? encoded[2..] : NumberedItem().Replace(encoded, string.Empty)).Append("</li>\n");
            }
            else if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                html.Append("<h1 style=\"font-size:24px;\">").Append(encoded[2..]).Append("</h1>\n");
            }
            else if (line.Length > 0)
            {
                html.Append("<p>").Append(encoded).Append("</p>\n");
            }
        }

        if (list is not null)
        {
            html.Append("</").Append(list).Append(">\n");
        }
    }

    [GeneratedRegex(@"\(\((?<name>[^()?]+?)(?:\?\?(?<text>[^()]*))?\)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[0-9]{1,2}\. ", RegexOptions.CultureInvariant)]
    private static partial Regex NumberedItem();
}
