using Referrals.Emails;
using Referrals.Messages;
using Xunit.Abstractions;

namespace Referrals.Tests.Messages;

/// <summary>
/// Issue 11: each English template reads at a reading age of 9 to 11, i.e. a Flesch–Kincaid grade of 6 or less,
/// counting its own prose only (service names, addresses and links come from the directory and are left out).
/// docs/testing.md lists the scores; this test fails when they differ, so the docs follow the wording.
/// </summary>
public class ReadabilityTests(ITestOutputHelper output)
{
    public const double MaxGrade = 6.0;

    public static IEnumerable<(string Name, string Template)> EnglishTemplates()
    {
        var email = EmailTemplates.LoadDefault().For("en");
        var messages = MessageTemplates.LoadDefault().For("en");
        yield return ("email subject", email.Subject);
        yield return ("email preview", email.Preview);
        yield return ("email body (text part; the HTML part has the same words)", email.TextBody);
        yield return ("text message", messages.TextMessage);
        yield return ("letter", messages.Letter);
    }

    [Fact]
    public void Every_English_template_reads_at_grade_6_or_below_and_the_docs_give_its_score()
    {
        var docs = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "testing.md"));
        var scores = EnglishTemplates().Select(t => (t.Name, Grade: Math.Round(Readability.Grade(Readability.ProseOf(t.Template)), 1))).ToList();
        scores.ForEach(s => output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| {s.Name} | {s.Grade:0.0} |")));

        Assert.All(scores, s => Assert.True(s.Grade <= MaxGrade, $"{s.Name}: Flesch–Kincaid grade {s.Grade:0.0} is above {MaxGrade}"));
        Assert.All(scores, s => Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"| {s.Name} | {s.Grade:0.0} |"), docs, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("The cat sat on the mat.", -5.0, 2.0)]
    [InlineData("Notwithstanding the aforementioned considerations, the investigation's administrative documentation necessitates comprehensive reconsideration.", 15.0, 40.0)]
    public void The_grade_is_low_for_plain_words_and_high_for_long_ones(string prose, double atLeast, double atMost) =>
        Assert.InRange(Readability.Grade(prose), atLeast, atMost);

    [Theory]
    [InlineData("cat", 1)]
    [InlineData("table", 2)]
    [InlineData("police", 2)]
    [InlineData("compensation", 4)]
    [InlineData("victims", 2)]
    public void Syllables_are_counted_by_vowel_groups(string word, int syllables) =>
        Assert.Equal(syllables, Readability.Syllables(word));
}
