using PhoneNumbers;
using Referrals.Rendering;

namespace Referrals.Contact;

/// <summary>Why a phone number cannot get a text message: each is one of Notify's refusals, or our 070 rule. Never the number.</summary>
public enum MobileRule
{
    /// <summary>A character other than digits, white space, brackets, hyphens and + (Notify: UNKNOWN_CHARACTER).</summary>
    UnknownCharacter,

    /// <summary>Too few digits (Notify: TOO_SHORT).</summary>
    TooShort,

    /// <summary>Too many digits (Notify: TOO_LONG).</summary>
    TooLong,

    /// <summary>Not a number in use, a pager (076) included (Notify: INVALID_NUMBER).</summary>
    InvalidNumber,

    /// <summary>Not a +44 number (Notify: NOT_A_UK_MOBILE, for a service that does not text abroad).</summary>
    NotUk,

    /// <summary>A UK landline or other non-mobile number (Notify: NOT_A_UK_MOBILE, for a service that does not text landlines).</summary>
    NotMobile,

    /// <summary>A 070 personal number, which forwards elsewhere: Notify accepts it, we never text it (rulebook 1.2 section 6).</summary>
    PersonalNumber,
}

/// <summary>
/// A phone number that can receive a text message (rulebook 1.2 section 6): exactly the numbers GOV.UK Notify accepts
/// for a service that texts neither abroad nor UK landlines, less 070 personal numbers. This is Notify's
/// <c>PhoneNumber(number).validate(allow_international_number=False, allow_uk_landline=False)</c> step by step
/// (alphagov/notifications-utils at a9af02ae77c034bb6b20e7a01909e2c789ae3ddf,
/// <c>notifications_utils/recipient_validation/phone_number.py</c>), with libphonenumber-csharp where Notify calls
/// Python's port of the same library. Normalised as Notify normalises (E.164), with the "+" Notify's API also takes.
/// </summary>
public static class UkMobile
{
    private static readonly PhoneNumberUtil Library = PhoneNumberUtil.GetInstance();

    /// <summary>phone_number.py lines 30-36: the number types Notify parses; lines 24-28: those it calls landlines.</summary>
    private static readonly HashSet<PhoneNumberType> Allowed =
        [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.UAN, PhoneNumberType.PERSONAL_NUMBER];

    private static readonly HashSet<PhoneNumberType> Landlines = [PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.UAN];

    public static bool TryNormalise(string? candidate, out string mobile) => Check(candidate, out mobile) is null;

    public static bool IsValid(string? candidate) => Check(candidate, out _) is null;

    /// <summary>Null when the number can get a text (and <paramref name="mobile"/> is it as +44…), else the rule it breaks.</summary>
    public static MobileRule? Check(string? candidate, out string mobile)
    {
        mobile = string.Empty;
        if (candidate is null)
        {
            return MobileRule.TooShort;
        }

        // Lines 66-72: parse as given; when that fails for any reason, parse again "thoroughly normalised" (lines
        // 176-191: every "+" removed, leading zeros stripped, the rest downgraded to printable ASCII).
        var (number, rule) = Parse(candidate);
        if (rule is not null)
        {
            (number, rule) = Parse(NotifyText.Sanitise(candidate.Replace("+", string.Empty, StringComparison.Ordinal).TrimStart('0'), NotifyText.Ascii));
        }

        if (rule is not null)
        {
            return rule;
        }

        // Lines 79-84 and 224-229 (validate): a +44 number that is not a landline. Crown dependencies' mobiles are +44 too.
        if (number!.CountryCode != 44)
        {
            return MobileRule.NotUk;
        }

        if (Landlines.Contains(Library.GetNumberType(number)))
        {
            return MobileRule.NotMobile;
        }

        // Ours (rulebook 1.2 section 6): a 070 personal number forwards texts elsewhere, so it is never texted.
        if (number.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture).StartsWith("70", StringComparison.Ordinal))
        {
            return MobileRule.PersonalNumber;
        }

        mobile = Library.Format(number, PhoneNumberFormat.E164);
        return null;
    }

    /// <summary>What a caseworker reads: the rule, never the number.</summary>
    public static string Describe(MobileRule rule) => rule switch
    {
        MobileRule.UnknownCharacter => "it has a character other than digits, spaces, brackets, hyphens and +",
        MobileRule.TooShort => "it has too few digits",
        MobileRule.TooLong => "it has too many digits",
        MobileRule.InvalidNumber => "it is not a number in use (a 076 pager is not texted either)",
        MobileRule.NotUk => "it is not a UK number",
        MobileRule.NotMobile => "it is a landline or another number that is not a mobile",
        _ => "it is a 070 personal number, which forwards texts elsewhere",
    };

    /// <summary>parse_phone_number, lines 114-152.</summary>
    private static (PhoneNumber? Number, MobileRule? Rule) Parse(string given)
    {
        // Lines 108-112: only white space (formatters.ALL_WHITESPACE), brackets, hyphens, + and digits; lines 103-106: not empty.
        if (given.Any(c => !char.IsAsciiDigit(c) && !"()-+".Contains(c, StringComparison.Ordinal) && !NotifyText.AllWhitespace.Contains(c, StringComparison.Ordinal)))
        {
            return (null, MobileRule.UnknownCharacter);
        }

        if (given.Length == 0)
        {
            return (null, MobileRule.TooShort);
        }

        PhoneNumber number;
        try
        {
            // Lines 95-101: parse as a GB number when it has no country code.
            number = Library.Parse(given, "GB");
        }
        catch (NumberParseException)
        {
            return (null, MobileRule.InvalidNumber);
        }

        var possible = Library.IsPossibleNumberWithReason(number);
        if (possible != PhoneNumberUtil.ValidationResult.IS_POSSIBLE)
        {
            // Lines 193-206: a number whose "+" or "00" was lost is tried as an international one.
            if (ForcedInternational(given) is { } international)
            {
                number = international;
            }
            else
            {
                // errors.py lines 57-76 (from_phonenumbers_validation_result).
                return (null, possible switch
                {
                    PhoneNumberUtil.ValidationResult.TOO_LONG => MobileRule.TooLong,
                    PhoneNumberUtil.ValidationResult.TOO_SHORT or PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY => MobileRule.TooShort,
                    PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => MobileRule.NotUk,
                    _ => MobileRule.InvalidNumber,
                });
            }
        }

        // Lines 143-150 and 154-160: a valid number of an allowed type, or (lines 162-173) a TV number. Notify's
        // pattern "7700[900000-900999]" is a character class, so it takes any national number starting 7700 and a
        // digit: Ofcom's drama range 07700 900xxx, and the rest of 07700 with it.
        if (!(Library.IsValidNumber(number) && Allowed.Contains(Library.GetNumberType(number))) && !IsTvNumber(number))
        {
            return (null, MobileRule.InvalidNumber);
        }

        return (number, null);
    }

    private static bool IsTvNumber(PhoneNumber number) =>
        number.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) is { Length: >= 5 } national
        && national.StartsWith("7700", StringComparison.Ordinal) && char.IsAsciiDigit(national[4]);

    private static PhoneNumber? ForcedInternational(string given)
    {
        try
        {
            var number = Library.Parse("+" + given, null);
            return Library.IsPossibleNumber(number) ? number : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}
