using System.Text.RegularExpressions;

namespace Referrals.Tests.Messages;

/// <summary>
/// The Flesch–Kincaid grade level of English prose: 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
/// Sentences end at . ! ? or a line break (a heading or a list item is a sentence of its own); syllables are counted
/// by the usual vowel-group rule (a silent final e dropped, "-le" kept).
/// </summary>
internal static partial class Readability
{
    public static double Grade(string prose)
    {
        var sentences = SentenceBreak().Split(prose).Select(s => Word().Matches(s).Select(m => m.Value).ToList()).Where(w => w.Count > 0).ToList();
        var words = sentences.SelectMany(s => s).ToList();
        if (words.Count == 0)
        {
            return 0;
        }

        var syllables = words.Sum(Syllables);
        return (0.39 * words.Count / sentences.Count) + (11.8 * syllables / words.Count) - 15.59;
    }

    /// <summary>A template's prose: Mustache tags, Notify placeholders, HTML tags, links, addresses and numbers left out.</summary>
    public static string ProseOf(string template)
    {
        var text = MustacheTag().Replace(template, " ");
        text = NotifyPlaceholder().Replace(text, " ");
        text = HtmlTag().Replace(text, " ");
        text = Link().Replace(text, " ");
        return text.Replace("&#39;", "'", StringComparison.Ordinal);
    }

    public static int Syllables(string word)
    {
        var w = word.ToLowerInvariant().Trim('\'');
        if (w.Length <= 3)
        {
            return 1;
        }

        if (w.EndsWith('e') && !w.EndsWith("le", StringComparison.Ordinal))
        {
            w = w[..^1];
        }
        else if (w.EndsWith("es", StringComparison.Ordinal) || w.EndsWith("ed", StringComparison.Ordinal))
        {
            w = w[..^2];
        }

        return Math.Max(1, VowelGroup().Count(w.TrimStart('y')));
    }

    [GeneratedRegex(@"[.!?]+(\s|$)|\n")]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"[A-Za-z]+(?:'[A-Za-z]+)?")]
    private static partial Regex Word();

    [GeneratedRegex(@"\{\{[^}]*\}\}\}?")]
    private static partial Regex MustacheTag();

    [GeneratedRegex(@"\(\([^)]*\)\)")]
    private static partial Regex NotifyPlaceholder();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"\S*(?:https?://|www\.|gov\.uk/|@)\S*")]
    private static partial Regex Link();

    [GeneratedRegex("[aeiouy]+")]
    private static partial Regex VowelGroup();
}
