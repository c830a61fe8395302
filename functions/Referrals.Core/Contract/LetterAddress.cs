using System.Globalization;
using System.Text.RegularExpressions;
using Referrals.Rendering;

namespace Referrals.Contract;

/// <summary>Why GOV.UK Notify would not print a letter to an address, in the order it checks (validators.py lines 304-323).</summary>
public enum AddressRule
{
    /// <summary>Fewer than 3 lines, the addressee's included ("Address must be at least 3 lines").</summary>
    TooFewLines,

    /// <summary>More than 7 lines ("Address must be no more than 7 lines").</summary>
    TooManyLines,

    /// <summary>Line 1 or 2 without a letter or digit A-Z, 0-9 ("The first 2 lines of the address must both include at least one alphanumeric character").</summary>
    NoLetterOrDigit,

    /// <summary>A BFPO address ending with a country ("The last line of a BFPO address must not be a country.").</summary>
    CountryWithBfpo,

    /// <summary>No real UK postcode last and no BFPO number ("Must be a real UK postcode").</summary>
    NoPostcode,

    /// <summary>A line starting with @ ( ) = [ ] " \ / , &lt; &gt; ~ ("Address lines must not start with any of the following characters…").</summary>
    ForbiddenFirstCharacter,

    /// <summary>"NFA" as a line, or "no fixed abode" or "no fixed address" ("Must be a real address").</summary>
    NoFixedAbode,
}

/// <summary>
/// GOV.UK Notify's rules for a letter's address, as its code applies them to the address lines of a letter sent
/// through its API (<c>POST /v2/notifications/letter</c>) by a service that does not send letters abroad:
/// alphagov/notifications-api at 8ea236603c43fe96df83459e9b37e0a7c45769a2, <c>app/notifications/validators.py</c>
/// lines 299-325 (<c>validate_address</c>: the rules and their order), over alphagov/notifications-utils at
/// a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, <c>notifications_utils/recipient_validation/postal_address.py</c>
/// (<c>PostalAddress</c>: how the lines are read, lines 35-55; BFPO, 74-82; the checks, 134-257; postcodes, 260-287).
/// Pure: it says which rule an address block breaks, never a line of it.
/// </summary>
public static partial class LetterAddress
{
    public const int MinLines = 3;
    public const int MaxLines = 7;

    /// <summary>postal_address.py line 33: no line may start with one of these.</summary>
    public const string ForbiddenFirstCharacters = "@()=[]\"\\/,<>~";

    /// <summary>
    /// The UK postcode areas Notify accepts (notifications_utils/countries/_data/uk-postcode-zones.txt, read at the
    /// commit above: Royal Mail's areas with BF for BFPO, BX non-geographic, GY, JE and IM for the Crown dependencies).
    /// GIR is one of them but no "GIR 0AA" passes the pattern, so it is left out here.
    /// </summary>
    public static readonly IReadOnlySet<string> PostcodeAreas = new HashSet<string>(
        """
        AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX
        FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN
        NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB
        W WA WC WD WF WN WR WS WV YO ZE
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>
    /// Names Notify reads as the United Kingdom (its country data maps them there and drops them from the end of an
    /// address). Written from reading notifications_utils/countries/_data (uk-islands.txt, synonyms.json,
    /// welsh-names.json) at the commit above; Notify also knows misspellings of these, which are not repeated here.
    /// </summary>
    private static readonly string[] UkNames =
    [
        "United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "UK", "U.K.", "GB", "GBR", "GBN",
        "Great Britain", "Britain", "England", "ENG", "Scotland", "SCT", "Wales", "WLS", "Cymru", "Northern Ireland",
        "N Ireland", "North Ireland", "NI", "NIR", "Channel Islands", "Guernsey", "Bailiwick of Guernsey",
        "Island of Guernsey", "GG", "Jersey", "Bailiwick of Jersey", "Island of Jersey", "JE", "Isle of Man",
        "Ellan Vannin", "IM", "Alderney", "Sark", "Herm", "Brecqhou", "Jethou", "Y Deyrnas Unedig", "Yr Alban",
    ];

    private static readonly Lazy<HashSet<string>> Uk = new(() => [.. UkNames.Select(CountryKey)]);

    /// <summary>
    /// Other countries, for the one rule that needs them (a BFPO address must not end with a country): the English
    /// names and two-letter codes .NET's region data knows. Notify's list (1,885 names and synonyms from the GOV.UK
    /// country register) is longer; a BFPO address ending in a name only Notify knows would still be refused by it.
    /// </summary>
    private static readonly Lazy<HashSet<string>> Foreign = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            try
            {
                var region = new RegionInfo(culture.Name);
                names.Add(CountryKey(region.EnglishName));
                names.Add(CountryKey(region.TwoLetterISORegionName));
            }
            catch (ArgumentException)
            {
                // A culture without a region: nothing to add.
            }
        }

        names.ExceptWith(Uk.Value);
        names.Remove(string.Empty);
        return names;
    });

    /// <summary>
    /// The rule Notify would refuse this address block with (address_line_1 to address_line_7 as sent: the
    /// addressee's name, the address lines, the postcode or BFPO number), or null when Notify would print it.
    /// </summary>
    public static AddressRule? Check(IReadOnlyList<string> block)
    {
        var address = Read(block);
        var count = address.Lines.Count(l => l.Length > 0);
        return count < MinLines ? AddressRule.TooFewLines
            : count > MaxLines ? AddressRule.TooManyLines
            : address.Lines.Count < 2 || !address.Lines.Take(2).All(l => AsciiLetterOrDigit().IsMatch(l)) ? AddressRule.NoLetterOrDigit
            : address.International && address.Bfpo is not null ? AddressRule.CountryWithBfpo
            : !(address.Postcode is not null || (address.Bfpo is not null && !address.International)) ? AddressRule.NoPostcode
            : address.Lines.Any(l => l.Length > 0 && ForbiddenFirstCharacters.Contains(l[0], StringComparison.Ordinal)) ? AddressRule.ForbiddenFirstCharacter
            : address.Lines.Any(l => l.Equals("nfa", StringComparison.OrdinalIgnoreCase)) || NoFixedAbode().IsMatch(string.Join("\n", address.Lines)) ? AddressRule.NoFixedAbode
            : null;
    }

    /// <summary>What a caseworker reads: the rule, never the address.</summary>
    public static string Describe(AddressRule rule) => rule switch
    {
        AddressRule.TooFewLines => $"with the addressee's name it would have fewer than {MinLines} lines",
        AddressRule.TooManyLines => $"with the addressee's name it would have more than {MaxLines} lines",
        AddressRule.NoLetterOrDigit => "its first line has no letter or digit from A to Z or 0 to 9",
        AddressRule.CountryWithBfpo => "a BFPO address must not end with a country",
        AddressRule.NoPostcode => "its last line is not a real UK postcode or a BFPO number",
        AddressRule.ForbiddenFirstCharacter => "a line starts with a character Notify refuses (@ ( ) = [ ] \" \\ / , < > ~)",
        _ => "it says no fixed abode",
    };

    /// <summary>
    /// The first line of a letter (its addressee): <paramref name="name"/> when Notify would take it as a first line
    /// (a letter or digit, no forbidden first character, not "no fixed abode", not a BFPO number, not the name of a
    /// country, which Notify may count when it drops a country from the end), else
    /// <paramref name="occupier"/> ("The Occupier"), so that a name can never stop the letter.
    /// </summary>
    public static string Addressee(string? name, string occupier)
    {
        var line = SafeText.OneLine(name);
        if (string.IsNullOrEmpty(line))
        {
            return occupier;
        }

        var read = Clean(NotifyText.NormaliseWhitespace(line));
        return read.Length > 0 && AsciiLetterOrDigit().IsMatch(read) && !ForbiddenFirstCharacters.Contains(read[0], StringComparison.Ordinal)
            && !read.Equals("nfa", StringComparison.OrdinalIgnoreCase) && !NoFixedAbode().IsMatch(read) && !BfpoLine().IsMatch(read.ToLowerInvariant())
            && Country(read) is null
            ? line
            : occupier;
    }

    /// <summary>A real UK postcode as Notify prints it (upper case, one space before the inward code), or null (lines 260-287).</summary>
    public static string? Postcode(string? candidate)
    {
        if (candidate is null)
        {
            return null;
        }

        var compact = NotifyText.PythonUpper(NotifyText.RemoveWhitespace(candidate));
        var match = PostcodeShape().Match(compact);
        return match.Success && PostcodeAreas.Contains(match.Groups["area"].Value) ? $"{compact[..^3]} {compact[^3..]}" : null;
    }

    /// <summary>A BFPO number as Notify prints it ("BFPO 105"), or null (lines 74-82: "BFPO", an optional "c/o", digits).</summary>
    public static string? Bfpo(string? candidate)
    {
        var match = candidate is null ? null : BfpoLine().Match(candidate.ToLowerInvariant());
        if (match is not { Success: true } || !match.Groups["number"].Success)
        {
            return null;
        }

        // Python's int(): any decimal digits, leading zeros dropped.
        var digits = string.Concat(match.Groups["number"].Value.Select(c => (char)('0' + CharUnicodeInfo.GetDecimalDigitValue(c)))).TrimStart('0');
        return $"BFPO {(digits.Length == 0 ? "0" : digits)}";
    }

    private sealed record Reading(List<string> Lines, string? Bfpo, string? Postcode, bool International);

    /// <summary>PostalAddress.__init__ and normalised_lines, for a service that does not send letters abroad.</summary>
    private static Reading Read(IReadOnlyList<string> block)
    {
        // Lines 35-43: the lines with normalised white space, trailing spaces and commas gone, empty ones dropped.
        var lines = NotifyText.NormalisedLines(string.Join("\n", block)).Select(l => l.TrimEnd(' ', ',')).Where(l => l.Length > 0)
            .Select(NotifyText.RemoveWhitespaceBeforePunctuation).ToList();
        if (lines.Count == 0)
        {
            lines.Add(string.Empty);
        }

        // Lines 74-82: a "BFPO 123" line anywhere makes a BFPO address; it and every bare "BFPO" line are taken out.
        var bfpoLine = lines.Select(Bfpo).FirstOrDefault(b => b is not null);
        var withoutBfpo = bfpoLine is null ? lines : [.. lines.Where(l => !BfpoLine().IsMatch(l.ToLowerInvariant()))];

        // Lines 47-55 and 84-91: a last line naming a country is the country. When it is the UK, as many lines go from
        // the end as there are names of the UK above the last other country (lines that name none are passed over).
        var ukNames = 0;
        foreach (var line in Enumerable.Reverse(withoutBfpo))
        {
            if (Country(line) is { } uk)
            {
                if (!uk)
                {
                    break;
                }

                ukNames++;
            }
        }

        var country = withoutBfpo.Count > 0 ? Country(withoutBfpo[^1]) : null;
        var rest = country is null ? withoutBfpo : withoutBfpo[..^Math.Min(Math.Max(ukNames, 1), withoutBfpo.Count)];
        var international = country == false;

        // Lines 233-239: the postcode is the last line left, when it is a real UK postcode.
        var postcode = international || rest.Count == 0 ? null : Postcode(rest[^1]);
        var normalised = (bfpoLine, international, postcode) switch
        {
            (not null, true, _) => [.. rest, bfpoLine, withoutBfpo[^1]],
            (not null, false, not null) => [.. rest[..^1], postcode, bfpoLine],
            (not null, false, null) => [.. rest, bfpoLine],
            (null, true, _) => [.. rest, withoutBfpo[^1]],
            (null, false, not null) => [.. rest[..^1], postcode],
            _ => rest,
        };
        return new Reading(normalised, bfpoLine, postcode, international);
    }

    /// <summary>Notify's country look-up (notifications_utils/countries/__init__.py lines 21-60): true for the UK, false for another country, null for neither.</summary>
    private static bool? Country(string line)
    {
        if (line.Any(c => CharUnicodeInfo.GetDigitValue(c) >= 0))
        {
            return null;
        }

        var key = CountryKey(line);
        string[] keys = [key, "the" + key, "yr" + key, "y" + key];
        return keys.Any(Uk.Value.Contains) ? true : keys.Any(Foreign.Value.Contains) ? false : null;
    }

    /// <summary>_normalise_country_name: "&amp;" and "+" read "and", spaces and punctuation dropped, lower case, ASCII where it can be.</summary>
    private static string CountryKey(string name)
    {
        var key = string.Concat(name.Replace("&", "and", StringComparison.Ordinal).Replace("+", "and", StringComparison.Ordinal)
            .Where(c => !" _-'’,.()".Contains(c, StringComparison.Ordinal)).Select(char.ToLowerInvariant));
        var ascii = NotifyText.Sanitise(key, NotifyText.Ascii);
        return ascii.Contains('?', StringComparison.Ordinal) ? key : ascii;
    }

    private static string Clean(string line) => NotifyText.RemoveWhitespaceBeforePunctuation(line.TrimEnd(' ', ','));

    [GeneratedRegex("[a-zA-Z0-9]", RegexOptions.CultureInvariant)]
    private static partial Regex AsciiLetterOrDigit();

    [GeneratedRegex("no fixed (abode|address)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoFixedAbode();

    [GeneratedRegex(@"^\s*bfpo\s*(?:c/o)?(?:\s*(?<number>\d+))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex BfpoLine();

    /// <summary>postal_address.py line 266: an area, a digit, an optional digit or letter, a digit, two letters (not C, I, K, M, O or V).</summary>
    [GeneratedRegex("^(?<area>[A-Z]{1,2})[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PostcodeShape();
}
