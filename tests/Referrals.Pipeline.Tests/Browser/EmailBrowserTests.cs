using Referrals.Emails;
using Referrals.Messages;
using Referrals.Rules;
using Referrals.Tests.Situations;

namespace Referrals.Pipeline.Tests.Browser;

/// <summary>
/// Every situation's entitlement email and letter (its review page) in real headless Chromium (issue 11, item 4): readable at 320 px (what a
/// 640 px window shows at 200% zoom) with no sideways scrolling, who writes, the crime reference and 999 on the first
/// screen of a small phone, and no serious or critical axe-core violation. Screenshots at 320 and 1024 px stay in
/// out/browser/emails for review.
/// </summary>
public sealed class EmailBrowserTests
{
    /// <summary>The first screen of a small phone (320 × 568 CSS pixels).</summary>
    private const int FirstScreen = 568;

    private static readonly ForceIdentity BilingualForce = ForceIdentity.Example with { Bilingual = true };

    [Fact]
    public async Task Every_situations_email_and_letter_read_at_320px_with_the_force_the_reference_and_999_on_the_first_screen_and_no_serious_axe_violation()
    {
        var folder = BrowserHarness.ArtifactsFolder("emails");
        Directory.CreateDirectory(folder);
        var pages = new List<BrowserPage>();
        foreach (var (name, force, situation) in Emails())
        {
            var composer = new EntitlementEmailComposer(EmailTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), force);
            var email = composer.Compose(situation.Snapshot, situation.Victim, situation.Decision) ?? throw new InvalidOperationException($"{name}: no email");
            var file = Path.Combine(folder, $"{name}.html");
            await File.WriteAllTextAsync(file, email.HtmlBody);
            pages.Add(new BrowserPage(name, File: file, Find: [force.NameIn(email.Language), MessageSituations.LongReference[^8..], "999"]));

            var letter = new LetterComposer(MessageTemplates.LoadDefault(), ServiceDirectory.LoadDefault(), force).Compose(situation.Snapshot, situation.Victim, situation.Decision)
                ?? throw new InvalidOperationException($"{name}: no letter");
            var letterFile = Path.Combine(folder, $"letter-{name}.html");
            await File.WriteAllTextAsync(letterFile, letter.ToHtml());
            pages.Add(new BrowserPage($"letter-{name}", File: letterFile, Find: [force.NameIn(letter.Language), MessageSituations.LongReference[^8..], "999"]));
        }

        var report = await BrowserHarness.CheckAsync(pages, "emails", [320, 1024]);

        var problems = new List<string>();
        foreach (var page in report.Pages)
        {
            foreach (var width in page.Widths)
            {
                if (width.Overflow)
                {
                    problems.Add($"{page.Name} at {width.Width}px scrolls sideways ({width.ScrollWidth}px wide): {string.Join(", ", width.Overflowing)}");
                }

                problems.AddRange(width.Violations.Where(v => v.IsSeriousOrCritical)
                    .Select(v => $"{page.Name} at {width.Width}px: axe {v.Impact} {v.Id} ({v.Help}) on {string.Join(" | ", v.Targets)}"));
                problems.AddRange(width.Found.Where(f => f.Bottom is null || (width.Width == 320 && f.Bottom > FirstScreen))
                    .Select(f => $"{page.Name} at {width.Width}px: '{f.Text}' is not on the first screen (bottom {f.Bottom?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"})"));
            }
        }

        Assert.Equal(pages.Count, report.Pages.Count);
        Assert.All(report.Pages, p => Assert.All(p.Widths, w => Assert.True(File.Exists(w.Screenshot), w.Screenshot)));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_harness_reports_sideways_scrolling_a_serious_violation_and_text_below_the_first_screen()
    {
        var folder = BrowserHarness.ArtifactsFolder("harness");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "broken.html");
        await File.WriteAllTextAsync(file,
            "<!DOCTYPE html><html><head><title>broken</title></head><body><div style=\"width:900px\">wide</div>"
            + "<img src=\"x.png\"><div style=\"height:2000px\"></div><p>call 999</p></body></html>");

        var report = await BrowserHarness.CheckAsync([new BrowserPage("broken", File: file, Find: ["call 999", "not there"])], "harness", [320]);

        var width = Assert.Single(Assert.Single(report.Pages).Widths);
        Assert.True(width.Overflow);
        Assert.Contains(width.Violations, v => v.IsSeriousOrCritical && v.Id == "html-has-lang");
        Assert.Contains(width.Violations, v => v.IsSeriousOrCritical && v.Id == "image-alt");
        Assert.True(width.Found[0].Bottom > FirstScreen);
        Assert.Null(width.Found[1].Bottom);
    }

    private static IEnumerable<(string Name, ForceIdentity Force, MessageSituation Situation)> Emails()
    {
        foreach (var situation in MessageSituations.All)
        {
            yield return (situation.Name, ForceIdentity.Example, situation);
        }

        yield return ("bilingual-force-victim-autoreferred-standard", BilingualForce, MessageSituations.All[0]);
    }
}
