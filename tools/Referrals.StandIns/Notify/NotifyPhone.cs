using PhoneNumbers;

namespace Referrals.StandIns.Notify;

/// <summary>
/// GOV.UK Notify's mobile number checks, written from alphagov/notifications-utils at commit
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, <c>notifications_utils/recipient_validation/phone_number.py</c>
/// (<c>PhoneNumber</c>: parse, lines 58-72 and 102-150; validate, 74-100; the TV range, 168-179; the thorough
/// normalisation, 181-199) and <c>errors.py</c> (the messages, lines 20-53), as notifications-api at commit
/// 8ea236603c43fe96df83459e9b37e0a7c45769a2 applies them: first its request schema
/// (<c>app/schema_validation/__init__.py</c> lines 21-33: any number a service could text, "phone_number " and the
/// legacy message), then the service's permissions (<c>app/notifications/validators.py</c> lines 180-200; a service
/// that texts neither abroad nor landlines, as ours). libphonenumber-csharp stands for Python's port of the same library.
/// </summary>
internal static class NotifyPhone
{
    private static readonly PhoneNumberUtil Library = PhoneNumberUtil.GetInstance();

    private static readonly HashSet<PhoneNumberType> Landline = [PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.UAN];

    private static readonly HashSet<PhoneNumberType> Allowed =
        [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.UAN, PhoneNumberType.PERSONAL_NUMBER];

    /// <summary>The error codes of <c>InvalidPhoneError.Codes</c>.</summary>
    public enum Code
    {
        InvalidNumber,
        TooLong,
        TooShort,
        NotAUkMobile,
        UnknownCharacter,
        UnsupportedCountryCode,
    }

    /// <summary>The number as Notify stores it (E.164 without "+"), or Notify's error: (status, error, message).</summary>
    public static (string? Normalised, NotifyError? Error) Check(string number)
    {
        // Stage 1, the schema: international numbers and landlines allowed.
        // (Its check of the country prefix against Notify's billing list, validate() line 99, is left out: stage 2
        // refuses every number outside +44 anyway.)
        var (code, parsed) = Parse(number);
        if (code is { } refused)
        {
            return (null, new NotifyError(400, "ValidationError", $"phone_number {LegacyMessage(refused)}"));
        }

        // Stage 2, the service's permissions: neither abroad nor landlines.
        if (parsed!.CountryCode != 44 || Landline.Contains(Library.GetNumberType(parsed)))
        {
            return IsInternational(parsed)
                ? (null, new NotifyError(400, "BadRequestError", "Cannot send to international mobile numbers"))
                : (null, new NotifyError(400, "InvalidPhoneError", LegacyMessage(Code.NotAUkMobile)));
        }

        return (Library.Format(parsed, PhoneNumberFormat.E164)[1..], null);
    }

    /// <summary>PhoneNumber.__init__: parse as given, and when that fails, parse the thoroughly normalised number.</summary>
    public static (Code? Code, PhoneNumber? Number) Parse(string number)
    {
        var first = ParseOnce(number);
        return first.Code is null ? first : ParseOnce(NotifyText.Sanitise(number.Replace("+", string.Empty, StringComparison.Ordinal).TrimStart('0'), NotifyText.AsciiAllowed));
    }

    /// <summary>errors.py LEGACY_V2_API_ERROR_MESSAGES.</summary>
    public static string LegacyMessage(Code code) => code switch
    {
        Code.TooLong => "Too many digits",
        Code.TooShort => "Not enough digits",
        Code.NotAUkMobile => "Not a UK mobile number",
        Code.UnknownCharacter => "Must not contain letters or symbols",
        Code.UnsupportedCountryCode => "Not a valid country prefix",
        _ => "Number is not valid – double check the phone number you entered",
    };

    private static (Code? Code, PhoneNumber? Number) ParseOnce(string number)
    {
        if (number.Any(c => !(NotifyText.AllWhitespace.Contains(c, StringComparison.Ordinal) || "()-+0123456789".Contains(c, StringComparison.Ordinal))))
        {
            return (Code.UnknownCharacter, null);
        }

        if (number.Length == 0)
        {
            return (Code.TooShort, null);
        }

        PhoneNumber parsed;
        try
        {
            parsed = Library.Parse(number, "GB");
        }
        catch (NumberParseException)
        {
            return (Code.InvalidNumber, null);
        }

        var reason = Library.IsPossibleNumberWithReason(parsed);
        if (reason != PhoneNumberUtil.ValidationResult.IS_POSSIBLE)
        {
            if (ForcedInternational(number) is { } forced)
            {
                parsed = forced;
            }
            else
            {
                return (reason switch
                {
                    PhoneNumberUtil.ValidationResult.TOO_LONG => Code.TooLong,
                    PhoneNumberUtil.ValidationResult.TOO_SHORT or PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY => Code.TooShort,
                    PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => Code.UnsupportedCountryCode,
                    _ => Code.InvalidNumber,
                }, null);
            }
        }

        if (!(Library.IsValidNumber(parsed) && Allowed.Contains(Library.GetNumberType(parsed))) && !IsTvNumber(parsed))
        {
            return (Code.InvalidNumber, null);
        }

        return (null, parsed);
    }

    private static PhoneNumber? ForcedInternational(string number)
    {
        try
        {
            var forced = Library.Parse("+" + number, null);
            return Library.IsPossibleNumber(forced) ? forced : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Line 178: <c>re.match("7700[900000-900999]", national)</c>, which is "7700" and any digit.</summary>
    private static bool IsTvNumber(PhoneNumber number)
    {
        var national = number.NationalNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return national.Length > 4 && national.StartsWith("7700", StringComparison.Ordinal) && char.IsAsciiDigit(national[4]);
    }

    /// <summary>validators.py is_international_number: abroad and not a Crown dependency; a TV number is the UK's.</summary>
    private static bool IsInternational(PhoneNumber number) =>
        !IsTvNumber(number) && Library.GetRegionCodeForNumber(number) != "GB" && number.CountryCode != 44;
}

/// <summary>One of Notify's error answers: <c>{"status_code": N, "errors": [{"error": E, "message": M}]}</c> (app/v2/errors.py).</summary>
internal sealed record NotifyError(int Status, string Error, string Message)
{
    /// <summary>Further messages of the same error (a schema reports every error it finds).</summary>
    public IReadOnlyList<string> More { get; init; } = [];

    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["status_code"] = Status,
        ["errors"] = new System.Text.Json.Nodes.JsonArray([.. new[] { Message }.Concat(More)
            .Select(m => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject { ["error"] = Error, ["message"] = m })]),
    };
}
