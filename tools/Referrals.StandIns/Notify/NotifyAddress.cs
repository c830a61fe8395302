using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Referrals.StandIns.Notify;

/// <summary>
/// GOV.UK Notify's letter address checks for a service that does not send letters abroad, written from
/// alphagov/notifications-api at commit 8ea236603c43fe96df83459e9b37e0a7c45769a2, <c>app/notifications/validators.py</c>
/// lines 299-325 (<c>validate_address</c>: the rules, their order and messages), over alphagov/notifications-utils at
/// commit a9af02ae77c034bb6b20e7a01909e2c789ae3ddf, <c>notifications_utils/recipient_validation/postal_address.py</c>
/// (<c>PostalAddress</c>) and <c>notifications_utils/countries/</c> (the names it reads as countries: countries.txt).
/// </summary>
internal static partial class NotifyAddress
{
    private const string ForbiddenFirst = "@()=[]\"\\/,<>~";

    private static readonly Lazy<Dictionary<string, bool>> Countries = new(LoadCountries);

    /// <summary>The printed address lines, or Notify's ValidationError.</summary>
    public static (IReadOnlyList<string> Lines, NotifyError? Error) Check(JsonObject personalisation)
    {
        // from_personalisation: address_line_1 to 6, then address_line_7 when given, else postcode (keys as given).
        string[] keys = personalisation.ContainsKey("address_line_7")
            ? ["address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5", "address_line_6", "address_line_7"]
            : ["address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5", "address_line_6", "postcode"];
        var raw = string.Join("\n", keys.Select(k => personalisation[k] is { } v && v.GetValueKind() is not System.Text.Json.JsonValueKind.Null and not System.Text.Json.JsonValueKind.False ? Str(v) : string.Empty));
        var address = new Address(raw);
        string? message =
            address.LineCount < 3 ? "Address must be at least 3 lines"
            : address.LineCount > 7 ? "Address must be no more than 7 lines"
            : !(address.Lines.Count >= 2 && address.Lines.Take(2).All(l => AlphaNumeric().IsMatch(l))) ? "The first 2 lines of the address must both include at least one alphanumeric character"
            : address.International && address.Bfpo is not null ? "The last line of a BFPO address must not be a country."
            : !(address.Postcode is not null || (address.Bfpo is not null && !address.International)) ? "Must be a real UK postcode"
            : address.Lines.Any(l => l.Length > 0 && ForbiddenFirst.Contains(l[0], StringComparison.Ordinal)) ? "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >"
            : address.Lines.Any(l => l.Equals("nfa", StringComparison.OrdinalIgnoreCase)) || NoFixedAbode().IsMatch(string.Join("\n", address.Lines)) ? "Must be a real address"
            : null;
        return (address.Lines, message is null ? null : new NotifyError(400, "ValidationError", message));
    }

    /// <summary>Python's <c>str()</c> of a JSON value as Notify's personalisation holds it.</summary>
    private static string Str(JsonNode value) => value.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value.GetValue<string>(),
        System.Text.Json.JsonValueKind.True => "True",
        _ => value.ToJsonString(),
    };

    /// <summary>PostalAddress.__init__ and normalised_lines (lines 35-55, 177-199).</summary>
    private sealed class Address
    {
        public Address(string raw)
        {
            var lines = NotifyText.SplitLines(raw).Select(NotifyText.NormaliseWhitespace)
                .Where(l => l.TrimEnd(' ', ',').Length > 0)
                .Select(l => NotifyText.RemoveWhitespaceBeforePunctuation(l.TrimEnd(' ', ','))).ToList();
            if (lines.Count == 0)
            {
                lines = [string.Empty];
            }

            // BFPO (lines 74-82): the first line that is "BFPO" and a number gives the number; every BFPO line goes.
            var matches = lines.Select(l => Bfpo().Match(l.ToLowerInvariant())).ToList();
            var numbered = matches.FirstOrDefault(m => m.Success && m.Groups[1].Success);
            if (numbered is not null)
            {
                // Python's \d and int() take any decimal digit (١٠٥ is 105).
                Bfpo = numbered.Groups[1].Value.Aggregate(0, (n, c) => (n * 10) + (int)char.GetNumericValue(c));
                lines = [.. lines.Where((_, i) => !matches[i].Success)];
            }

            // A last line naming a country is the country; for the UK, every trailing line naming the UK goes.
            var trailingUk = 0;
            for (var i = lines.Count - 1; i >= 0; i--)
            {
                var country = Country(lines[i]);
                if (country is null)
                {
                    continue;
                }

                if (country == true)
                {
                    trailingUk++;
                    continue;
                }

                break;
            }

            var last = lines.Count > 0 ? Country(lines[^1]) : null;
            International = last == false;
            var rest = last is null ? lines : lines[..^Math.Min(Math.Max(trailingUk, 1), lines.Count)];
            Postcode = International || rest.Count == 0 ? null : FormatPostcode(rest[^1]);
            var printed = International ? [.. rest, "Abroad"] : Postcode is not null ? [.. rest[..^1], Postcode] : rest;
            Lines = Bfpo is { } n ? (Postcode is not null ? [.. printed, $"BFPO {n}"] : [.. rest, $"BFPO {n}", .. International ? ["Abroad"] : Array.Empty<string>()]) : printed;
        }

        public int? Bfpo { get; }

        public bool International { get; }

        public string? Postcode { get; }

        public List<string> Lines { get; }

        /// <summary>line_count: the lines of the normalised address as text (an empty address has none).</summary>
        public int LineCount => NotifyText.SplitLines(string.Join("\n", Lines)).Count;
    }

    /// <summary>format_postcode_or_none (lines 260-287): a real UK postcode, upper case with one space before the last three.</summary>
    private static string? FormatPostcode(string line)
    {
        // Python's str.upper(): ß becomes SS.
        var normalised = NotifyText.RemoveWhitespace(line).Replace("ß", "SS", StringComparison.Ordinal).ToUpperInvariant();
        return Postcode().IsMatch(normalised) ? normalised[..^3] + " " + normalised[^3..] : null;
    }

    /// <summary>countries.Country(name): true for the United Kingdom, false for another country, null for none.</summary>
    private static bool? Country(string name)
    {
        if (NotifyText.HasDigit(name))
        {
            return null;
        }

        foreach (var candidate in new[] { name, $"the {name}", $"yr {name}", $"y {name}" })
        {
            if (Countries.Value.TryGetValue(CountryKey(candidate), out var uk))
            {
                return uk;
            }
        }

        return null;
    }

    /// <summary>_normalise_country_name (countries/__init__.py lines 21-36).</summary>
    private static string CountryKey(string name)
    {
        var key = new string([.. name.Replace("&", "and", StringComparison.Ordinal).Replace("+", "and", StringComparison.Ordinal)
            .Where(c => !" _-'’,.()".Contains(c, StringComparison.Ordinal)).Select(char.ToLowerInvariant)]);
        var ascii = NotifyText.Sanitise(key, NotifyText.AsciiAllowed);
        return ascii.Contains('?', StringComparison.Ordinal) ? key : ascii;
    }

    private static Dictionary<string, bool> LoadCountries()
    {
        using var stream = typeof(NotifyAddress).Assembly.GetManifestResourceStream("Referrals.StandIns.Notify.countries.txt")!;
        using var reader = new StreamReader(stream);
        var countries = new Dictionary<string, bool>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#' && line.Split('\t') is [var key, var where])
            {
                countries[key] = where == "uk";
            }
        }

        return countries;
    }

    [GeneratedRegex(@"^\s*bfpo\s*(?:c\/o)?(?:\s*(\d+))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Bfpo();

    [GeneratedRegex("[a-zA-Z0-9]", RegexOptions.CultureInvariant)]
    private static partial Regex AlphaNumeric();

    [GeneratedRegex("no fixed (abode|address)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoFixedAbode();

    /// <summary>postal_address.py lines 266-269 with the zones of countries/_data/uk-postcode-zones.txt (GIR included).</summary>
    [GeneratedRegex(@"^((AB|AL|B|BA|BB|BD|BF|BH|BL|BN|BR|BS|BT|BX|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|DY|E|EC|EH|EN|EX|FK|FY|G|GL|GU|GY|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|L|GIR|LA|LD|LE|LL|LN|LS|LU|M|ME|MK|ML|N|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH|RM|S|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|W|WA|WC|WD|WF|WN|WR|WS|WV|YO|ZE)[0-9][0-9A-Z]?[0-9][A-BD-HJLNP-UW-Z]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Postcode();
}
