using Referrals.Rendering;

namespace Referrals.Tests.Rendering;

/// <summary>The one rule every renderer applies to a field value.</summary>
public class SafeTextTests
{
    [Theory]
    [InlineData("Sam\r\nEmail: x@y.example (safe to use)", "Sam Email: x@y.example (safe to use)")]
    [InlineData("a\u0085b\u2028c\u2029d\u000Be\u000Cf\u001Cg", "a b c d e f g")]
    [InlineData("a\u0000\u007F\u009Bb", "a b")]
    [InlineData("\u202Eesu\u202C \u2066x\u2069", "esu x")]
    [InlineData("zero\u200Bwidth\u200C\u200D\uFEFF\u2060\u00AD", "zerowidth")]
    [InlineData("  many \t\t spaces\u00A0\u3000here  ", "many spaces here")]
    [InlineData("Siân O'Neil <b>&</b> 👩‍👩‍👧", "Siân O'Neil <b>&</b> 👩👩👧")]
    public void Folds_breaks_and_controls_to_one_space_and_drops_format_characters(string value, string expected) =>
        Assert.Equal(expected, SafeText.OneLine(value));

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character() =>
        Assert.Equal("lone \uFFFD surrogate", SafeText.OneLine(string.Concat("lone ", "\ud800", " surrogate")));

    [Fact]
    public void Null_stays_null() => Assert.Null(SafeText.OneLine(null));

    [Theory]
    [InlineData("victim@example.org", true)]
    [InlineData("Evil <evil@attacker.example>", false)]
    [InlineData("a@x.org, b@y.org", false)]
    [InlineData("not-an-email", false)]
    [InlineData("evil\u202E@attacker.example", false)]
    [InlineData("evil@attacker\u200B.example", false)]
    public void An_email_is_usable_only_as_one_bare_address(string value, bool usable) =>
        Assert.Equal(usable, SafeContact.TryEmail(value, out _));

    [Theory]
    [InlineData("101", true)]
    [InlineData("+44 (0)7700 900123", true)]
    [InlineData("0117-496-0000", true)]
    [InlineData("12", false)]
    [InlineData("07700 900123 ext 4", false)]
    [InlineData("07700\n900123", false)]
    [InlineData("\u0660\u0661\u0662\u0663", false)]
    public void A_phone_is_usable_only_when_it_looks_like_a_number(string value, bool usable) =>
        Assert.Equal(usable, SafeContact.TryPhone(value, out _));
}
