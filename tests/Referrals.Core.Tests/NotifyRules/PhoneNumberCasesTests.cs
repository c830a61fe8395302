using Referrals.Contact;

namespace Referrals.Tests.NotifyRules;

/// <summary>
/// Issue 18, item 5: a mobile number can get a text exactly when GOV.UK Notify accepts it, less 070 personal numbers
/// (phone-numbers.jsonc: Notify's cases from alphagov/notifications-utils tests/recipient_validation/test_phone_number.py
/// at a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, and hostile ones).
/// </summary>
public class PhoneNumberCasesTests
{
    public sealed record PhoneCase(string Given, string Notify, string Ours, string From);

    private const string File = "phone-numbers.jsonc";

    private static readonly IReadOnlyList<PhoneCase> Cases = NotifyCases.Load<PhoneCase>(File);

    public static TheoryData<int> Rows() => NotifyCases.Rows<PhoneCase>(File);

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_number_is_accepted_normalised_or_refused_by_the_rule_the_table_gives(int row)
    {
        var c = Cases[row];
        var rule = UkMobile.Check(c.Given, out var mobile);
        Assert.Equal(c.Ours, rule is null ? mobile : rule.ToString());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void We_accept_what_Notify_accepts_as_Notify_normalises_it_and_refuse_what_it_refuses_less_070_numbers(int row)
    {
        var c = Cases[row];
        var rule = UkMobile.Check(c.Given, out var mobile);
        if (char.IsAsciiDigit(c.Notify[0]))
        {
            Assert.True(rule is null or MobileRule.PersonalNumber, $"{c.From}: Notify accepts it, we say {rule}");
            Assert.True(rule is not null || mobile == "+" + c.Notify, $"{c.From}: Notify sends to {c.Notify}, we to {mobile}");
            Assert.Equal(rule is MobileRule.PersonalNumber, c.Notify.StartsWith("4470", StringComparison.Ordinal));
        }
        else
        {
            Assert.NotNull(rule);
            Assert.Contains(rule.Value, NotifyCode[c.Notify]);
        }
    }

    /// <summary>Notify's error codes (errors.py lines 19-27) and the rules of ours each stands for.</summary>
    private static readonly Dictionary<string, MobileRule[]> NotifyCode = new(StringComparer.Ordinal)
    {
        ["unknown_character"] = [MobileRule.UnknownCharacter],
        ["too_short"] = [MobileRule.TooShort],
        ["too_long"] = [MobileRule.TooLong],
        ["invalid_number"] = [MobileRule.InvalidNumber],
        ["not_a_uk_mobile"] = [MobileRule.NotUk, MobileRule.NotMobile],
        ["unsupported_country_code"] = [MobileRule.NotUk],
    };

    [Fact]
    public void The_table_holds_Notifys_cases_and_hostile_ones_and_every_rule()
    {
        Assert.True(Cases.Count >= 100);
        Assert.Contains(Cases, c => c.From.StartsWith("ours", StringComparison.Ordinal));
        Assert.Contains(Cases, c => c.From.StartsWith("valid_uk_mobile_phone_numbers", StringComparison.Ordinal));
        foreach (var rule in Enum.GetValues<MobileRule>())
        {
            Assert.Contains(Cases, c => c.Ours == rule.ToString());
        }
    }

    /// <summary>Huge values, checked against Notify's code: its library parses at most 250 characters, and a failed parse is tried again without leading zeros.</summary>
    [Theory]
    [InlineData(10_000, '0', "7700900123", "+447700900123")]
    [InlineData(300, '7', "", "InvalidNumber")]
    [InlineData(300, '0', "", "TooShort")]
    public void A_huge_value_is_judged_as_Notify_judges_it_without_crashing(int count, char repeated, string tail, string expected)
    {
        var rule = UkMobile.Check(new string(repeated, count) + tail, out var mobile);
        Assert.Equal(expected, rule is null ? mobile : rule.ToString());
    }

    [Fact]
    public void Trailing_spaces_past_the_librarys_250_characters_make_it_invalid_as_in_Notify() =>
        Assert.Equal(MobileRule.InvalidNumber, UkMobile.Check("07700 900123" + new string(' ', 10_000), out _));

    [Fact]
    public void Every_rule_reads_as_a_rule_and_never_as_a_number()
    {
        foreach (var rule in Enum.GetValues<MobileRule>())
        {
            var words = UkMobile.Describe(rule);
            Assert.StartsWith("it ", words, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"[0-9]{4}", words);
        }
    }
}
