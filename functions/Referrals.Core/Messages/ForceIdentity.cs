using Referrals.Rendering;

namespace Referrals.Messages;

/// <summary>
/// Who is writing: the force's name and how to reach it, shown at the top and in the signature of every
/// message so that a victim knows it is genuine (an unbranded email full of links looks like phishing).
/// </summary>
/// <param name="ShortName">At most 11 letters, digits or spaces: the text message sender and the name texts start with.</param>
/// <param name="Phone">The number a victim calls for the force (usually 101), as digits for a <c>tel:</c> link.</param>
/// <param name="PhoneWording">How the number is written in English, e.g. "101, the police non-emergency number".</param>
/// <param name="Bilingual">The Welsh Language Standards apply: every email and letter is in Welsh and English.</param>
public sealed record ForceIdentity(
    string Name,
    string? WelshName,
    string ShortName,
    string Phone,
    string PhoneWording,
    string? PhoneWordingWelsh,
    string VictimCareUnitPhone,
    string VictimCareUnitEmail,
    Uri Website,
    Uri PrivacyNotice,
    bool Bilingual)
{
    public const int MaxNameLength = 60;
    public const int MaxShortNameLength = 11;
    public const int MaxPhoneWordingLength = 80;

    /// <summary>The synthetic force of the samples, the dry run and the tests (local.settings.example.json says the same).</summary>
    public static readonly ForceIdentity Example = new(
        "Example Constabulary",
        "Heddlu Enghraifft",
        "ExamplePol",
        "101",
        "101, the police non-emergency number",
        "101, rhif yr heddlu pan nad yw'n argyfwng",
        "01632 960 101",
        "victim.care@police.example",
        new Uri("https://www.police.example/"),
        new Uri("https://www.police.example/privacy"),
        Bilingual: false);

    /// <summary>The force's name in a language ("cy" uses the Welsh name when there is one).</summary>
    public string NameIn(string language) => language == "cy" && WelshName is { Length: > 0 } welsh ? welsh : Name;

    public string PhoneWordingIn(string language) =>
        language == "cy" && PhoneWordingWelsh is { Length: > 0 } welsh ? welsh : PhoneWording;

    /// <summary>Every problem with these values, named by setting and never quoting a value; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        Text(problems, "Name", Name, MaxNameLength, required: true);
        Text(problems, "WelshName", WelshName, MaxNameLength, required: false);
        Text(problems, "PhoneWording", PhoneWording, MaxPhoneWordingLength, required: true);
        Text(problems, "PhoneWordingWelsh", PhoneWordingWelsh, MaxPhoneWordingLength, required: false);
        if (string.IsNullOrWhiteSpace(ShortName) || ShortName.Length > MaxShortNameLength || !ShortName.All(c => char.IsAsciiLetterOrDigit(c) || c == ' '))
        {
            problems.Add($"ShortName must be 1 to {MaxShortNameLength} letters, digits or spaces (it is the text message sender)");
        }

        if (!SafeContact.TryPhone(Phone, out _))
        {
            problems.Add("Phone must be a phone number (digits, spaces, brackets, hyphens, a leading +)");
        }

        if (!SafeContact.TryPhone(VictimCareUnitPhone, out _))
        {
            problems.Add("VictimCareUnitPhone must be a phone number (digits, spaces, brackets, hyphens, a leading +)");
        }

        if (!SafeContact.TryEmail(VictimCareUnitEmail, out _))
        {
            problems.Add("VictimCareUnitEmail must be one email address");
        }

        Https(problems, "Website", Website);
        Https(problems, "PrivacyNotice", PrivacyNotice);
        return problems;
    }

    /// <summary>The digits (and a leading +) of a number, for a <c>tel:</c> link.</summary>
    public static string Tel(string phone) =>
        new([.. phone.Trim().Where((c, i) => char.IsAsciiDigit(c) || (c == '+' && i == 0))]);

    private static void Text(List<string> problems, string setting, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                problems.Add($"{setting} is required");
            }

            return;
        }

        if (value.Length > maxLength || !SafeText.IsOneLine(value))
        {
            problems.Add($"{setting} must be one line of at most {maxLength} characters");
        }
    }

    private static void Https(List<string> problems, string setting, Uri? value)
    {
        if (value is null || !value.IsAbsoluteUri || value.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"{setting} must be an https:// address");
        }
    }
}
