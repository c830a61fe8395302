using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Referrals.Calendar;

namespace Referrals.Contract;

/// <summary>
/// Reads a crime-event v1 message into typed records, or refuses it with every violation named by its
/// field path and rule (never its value). Unknown properties are ignored, so the records system can add
/// fields without breaking us, but their strings follow the character rules like every other string.
/// </summary>
public static partial class CrimeEventParser
{
    /// <summary>The contract's property names: only these are named in a reason, since any other name is input.</summary>
    private static readonly HashSet<string> KnownProperties = new(StringComparer.Ordinal)
    {
        "schemaVersion", "eventId", "sentAt", "crime", "reference", "version", "recordedAt", "offence", "homeOfficeCode",
        "description", "flags", "officerInCase", "name", "email", "phone", "victims", "id", "title", "givenName",
        "familyName", "dateOfBirth", "emailSafe", "phoneSafe", "address", "lines", "postcode", "addressSafe",
        "preferredLanguage", "vulnerable", "intimidated", "bereavedRelative", "support", "parentOrGuardian", "isSuspect",
    };

    private const string DescriptionPath = "crime.offence.description";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 16,
        AllowDuplicateProperties = false,
    };

    public static ParseResult Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static ParseResult Parse(ReadOnlyMemory<byte> utf8)
    {
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Length > ContractLimits.MaxMessageBytes)
        {
            return ParseResult.Rejected(null, ContractLimits.TooLarge(utf8.Length));
        }

        if (!Utf8.IsValid(utf8.Span))
        {
            return ParseResult.Rejected(null, "message is not valid UTF-8 text");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return ParseResult.Rejected(null, $"message is not valid JSON: {DescribeJsonError(ex)}");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\uD800") is valid JSON syntax but not a string we can read.
                return ParseResult.Rejected(null, "message contains a string that is not valid Unicode (an unpaired \\u surrogate escape)");
            }
        }
    }

    private static string DescribeJsonError(JsonException ex) =>
        ex.LineNumber is { } line && ex.BytePositionInLine is { } column
            ? string.Create(CultureInfo.InvariantCulture, $"{FirstSentence(ex.Message)} (line {line + 1}, byte {column + 1})")
            : FirstSentence(ex.Message);

    /// <summary>The parser's message without the characters it quotes from the input ('A' is an invalid start...).</summary>
    private static string FirstSentence(string message)
    {
        // The parser quotes what it found (a character, a property name); a name may itself hold a quote, so a
        // duplicate name is described without it and any other quoted text is cut from the first quote to the last.
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            return "a property name appears twice in one object";
        }

        foreach (var marker in new[] { ". ", " LineNumber:", " Path:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        message = QuotedInput().Replace(message, "a character");

        return message.TrimEnd('.', ' ');
    }

    private static ParseResult Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ParseResult.Rejected(null, $"message must be a JSON object, not {Describe(root)}");
        }

        var errors = new Violations();
        var fields = new FieldReader(errors);

        CheckCharacters(root, string.Empty, errors);
        var schemaVersion = ReadSchemaVersion(root, errors);
        var eventId = fields.RequiredId(root, "eventId", "eventId");
        var sentAt = fields.RequiredInstant(root, "sentAt", "sentAt");
        var crime = ReadCrime(root, fields, errors);
        var victims = ReadVictims(root, fields, errors, crime?.RecordedAt);

        if (errors.Count > 0 || schemaVersion is null || eventId is null || sentAt is null || crime is null || victims is null)
        {
            return ParseResult.Rejected(eventId ?? LenientEventId(root), errors.Describe());
        }

        return ParseResult.Valid(new CrimeEvent(schemaVersion.Value, eventId, sentAt.Value, crime, victims));
    }

    private static int? ReadSchemaVersion(JsonElement root, Violations errors)
    {
        if (!root.TryGetProperty("schemaVersion", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add("schemaVersion is required (this pipeline reads version 1)");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var version))
        {
            errors.Add($"schemaVersion must be the integer 1, not {(value.ValueKind == JsonValueKind.Number ? "another number" : Describe(value))}");
            return null;
        }

        if (version != 1)
        {
            errors.Add("schemaVersion is not supported: this pipeline reads version 1");
            return null;
        }

        return version;
    }

    private static Crime? ReadCrime(JsonElement root, FieldReader fields, Violations errors)
    {
        var crime = fields.RequiredObject(root, "crime", "crime");
        if (crime is not { } c)
        {
            return null;
        }

        var reference = fields.RequiredId(c, "reference", "crime.reference");
        var version = ReadVersion(c, errors);
        var recordedAt = fields.RequiredInstant(c, "recordedAt", "crime.recordedAt");
        var offence = ReadOffence(c, fields);
        var flags = ReadFlags(c, errors);
        var officer = ReadOfficer(c, fields);

        return reference is null || version is null || recordedAt is null || offence is null || flags is null
            ? null
            : new Crime(reference, version.Value, recordedAt.Value, offence, flags, officer);
    }

    private static long? ReadVersion(JsonElement crime, Violations errors)
    {
        if (!crime.TryGetProperty("version", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add("crime.version is required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var version) || version < 1)
        {
            errors.Add(value.ValueKind == JsonValueKind.Number
                ? "crime.version must be a whole number from 1 to 9223372036854775807"
                : $"crime.version must be a whole number of at least 1, not {Describe(value)}");
            return null;
        }

        return version;
    }

    private static Offence? ReadOffence(JsonElement crime, FieldReader fields)
    {
        if (fields.RequiredObject(crime, "offence", "crime.offence") is not { } offence)
        {
            return null;
        }

        var code = fields.RequiredText(offence, "homeOfficeCode", "crime.offence.homeOfficeCode", ContractLimits.MaxCodeLength);
        var description = fields.OptionalText(offence, "description", DescriptionPath, ContractLimits.MaxDescriptionLength, multiline: true);
        return code is null ? null : new Offence(code, description);
    }

    private static List<string>? ReadFlags(JsonElement crime, Violations errors)
    {
        if (!crime.TryGetProperty("flags", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"crime.flags must be an array of strings, not {Describe(value)}");
            return null;
        }

        var flags = new List<string>();
        var index = 0;
        foreach (var flag in value.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"crime.flags[{index++}]");
            if (flag.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{path} must be a string, not {Describe(flag)}");
                continue;
            }

            var text = flag.GetString()!;
            if (text.Length > ContractLimits.MaxCodeLength)
            {
                errors.Add($"{path} must be a flag name of at most {ContractLimits.MaxCodeLength} characters");
                continue;
            }

            flags.Add(text.Trim());
        }

        return flags;
    }

    private static OfficerInCase? ReadOfficer(JsonElement crime, FieldReader fields)
    {
        if (fields.OptionalObject(crime, "officerInCase", "crime.officerInCase") is not { } officer)
        {
            return null;
        }

        return new OfficerInCase(
            fields.OptionalText(officer, "name", "crime.officerInCase.name", ContractLimits.MaxNameLength),
            fields.OptionalText(officer, "email", "crime.officerInCase.email", ContractLimits.MaxShortTextLength),
            fields.OptionalText(officer, "phone", "crime.officerInCase.phone", ContractLimits.MaxShortTextLength));
    }

    private static List<Victim>? ReadVictims(JsonElement root, FieldReader fields, Violations errors, DateTimeOffset? recordedAt)
    {
        if (!root.TryGetProperty("victims", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add("victims is required: a snapshot lists 1 to 50 victims");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"victims must be an array, not {Describe(value)}");
            return null;
        }

        var count = value.GetArrayLength();
        if (count is 0 or > ContractLimits.MaxVictims)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"victims must list 1 to {ContractLimits.MaxVictims} victims, not {count}"));
            return null;
        }

        var victims = new List<Victim>(count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"victims[{index++}]");
            var victim = ReadVictim(element, path, fields, errors, recordedAt);
            if (victim is null)
            {
                continue;
            }

            if (!ids.Add(victim.Id))
            {
                errors.Add($"{path}.id appears more than once: each victim needs its own id");
                continue;
            }

            victims.Add(victim);
        }

        return victims.Count == count ? victims : null;
    }

    private static Victim? ReadVictim(JsonElement element, string path, FieldReader fields, Violations errors, DateTimeOffset? recordedAt)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object, not {Describe(element)}");
            return null;
        }

        var before = errors.Count;
        var id = fields.RequiredId(element, "id", $"{path}.id");
        var title = fields.OptionalText(element, "title", $"{path}.title", ContractLimits.MaxNameLength);
        var givenName = fields.OptionalText(element, "givenName", $"{path}.givenName", ContractLimits.MaxNameLength);
        var familyName = fields.OptionalText(element, "familyName", $"{path}.familyName", ContractLimits.MaxNameLength);
        if (string.IsNullOrWhiteSpace(givenName) && string.IsNullOrWhiteSpace(familyName)
            && !HasProblem(errors, before, $"{path}.givenName", $"{path}.familyName"))
        {
            errors.Add($"{path} needs a givenName or a familyName");
        }

        var dateOfBirth = ReadDateOfBirth(element, path, errors, recordedAt);
        var email = fields.OptionalText(element, "email", $"{path}.email", ContractLimits.MaxShortTextLength);
        var emailSafe = fields.OptionalBool(element, "emailSafe", $"{path}.emailSafe");
        var phone = fields.OptionalText(element, "phone", $"{path}.phone", ContractLimits.MaxShortTextLength);
        var phoneSafe = fields.OptionalBool(element, "phoneSafe", $"{path}.phoneSafe");
        var address = ReadAddress(element);
        var addressSafe = fields.OptionalBool(element, "addressSafe", $"{path}.addressSafe");
        var language = fields.OptionalText(element, "preferredLanguage", $"{path}.preferredLanguage", ContractLimits.MaxCodeLength);
        var vulnerable = fields.OptionalBool(element, "vulnerable", $"{path}.vulnerable") ?? false;
        var intimidated = fields.OptionalBool(element, "intimidated", $"{path}.intimidated") ?? false;
        var bereaved = fields.OptionalBool(element, "bereavedRelative", $"{path}.bereavedRelative") ?? false;
        var support = ReadSupport(element, path, errors);
        var parent = ReadParentOrGuardian(element, path, fields);

        if (errors.Count > before || id is null || support is null)
        {
            return null;
        }

        return new Victim(id, title, givenName, familyName, dateOfBirth, email, emailSafe, phone, phoneSafe,
            language, vulnerable, intimidated, bereaved, support.Value, parent, address, addressSafe);
    }

    private static bool HasProblem(Violations errors, int since, params string[] paths) =>
        errors.Since(since).Any(e => paths.Any(p => e.StartsWith(p, StringComparison.Ordinal)));

    private static DateOnly? ReadDateOfBirth(JsonElement victim, string path, Violations errors, DateTimeOffset? recordedAt)
    {
        if (!victim.TryGetProperty("dateOfBirth", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}.dateOfBirth must be an ISO date (yyyy-MM-dd), not {Describe(value)}");
            return null;
        }

        if (!IsoDate().IsMatch(value.GetString()!)
            || !DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add($"{path}.dateOfBirth must be an ISO date (yyyy-MM-dd)");
            return null;
        }

        if (date < ContractLimits.EarliestDateOfBirth || (recordedAt is { } recorded && date > London.DateOf(recorded)))
        {
            errors.Add($"{path}.dateOfBirth must be from 1900-01-01 to the Europe/London date of crime.recordedAt");
            return null;
        }

        return date;
    }

    private static SupportAnswer? ReadSupport(JsonElement victim, string path, Violations errors)
    {
        if (!victim.TryGetProperty("support", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{path}.support is required: NotAsked, Accepted or Declined");
            return null;
        }

        SupportAnswer? answer = value.ValueKind == JsonValueKind.String
            ? value.GetString() switch
            {
                "NotAsked" => SupportAnswer.NotAsked,
                "Accepted" => SupportAnswer.Accepted,
                "Declined" => SupportAnswer.Declined,
                _ => null,
            }
            : null;
        if (answer is null)
        {
            errors.Add($"{path}.support must be NotAsked, Accepted or Declined, not {Describe(value)}");
        }

        return answer;
    }

    private static ParentOrGuardian? ReadParentOrGuardian(JsonElement victim, string path, FieldReader fields)
    {
        var p = $"{path}.parentOrGuardian";
        if (fields.OptionalObject(victim, "parentOrGuardian", p) is not { } parent)
        {
            return null;
        }

        return new ParentOrGuardian(
            fields.OptionalText(parent, "name", $"{p}.name", ContractLimits.MaxNameLength),
            fields.OptionalText(parent, "email", $"{p}.email", ContractLimits.MaxShortTextLength),
            fields.OptionalBool(parent, "emailSafe", $"{p}.emailSafe"),
            fields.OptionalBool(parent, "isSuspect", $"{p}.isSuspect"),
            fields.OptionalText(parent, "phone", $"{p}.phone", ContractLimits.MaxShortTextLength),
            fields.OptionalBool(parent, "phoneSafe", $"{p}.phoneSafe"),
            ReadAddress(parent),
            fields.OptionalBool(parent, "addressSafe", $"{p}.addressSafe"));
    }

    /// <summary>
    /// A postal address, or a malformed one that the rules treat as absent with a reason (contract: like an
    /// invalid email, it does not refuse the snapshot; its characters were checked with every other string).
    /// </summary>
    private static PostalAddress? ReadAddress(JsonElement owner)
    {
        if (!owner.TryGetProperty("address", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("lines", out var lines) || lines.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("postcode", out var postcode) || postcode.ValueKind != JsonValueKind.String)
        {
            return PostalAddress.Malformed("it is not an object of lines and a postcode");
        }

        if (lines.EnumerateArray().Any(line => line.ValueKind != JsonValueKind.String))
        {
            return PostalAddress.Malformed($"its lines must be 1 to {PostalAddress.MaxLines} non-empty strings of at most {PostalAddress.MaxLineLength} characters");
        }

        return PostalAddress.Create([.. lines.EnumerateArray().Select(line => line.GetString()!)], postcode.GetString()!);
    }

    /// <summary>
    /// Revision 1.1's character rules, for every string of the message, unknown properties included: no
    /// control, bidirectional-control or separator character, except line breaks and tabs in the description.
    /// </summary>
    private static void CheckCharacters(JsonElement element, string path, Violations errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (Characters.FirstProblem(element.GetString()!, lineBreaksAllowed: path == DescriptionPath) is { } problem)
                {
                    errors.Add($"{(path.Length == 0 ? "a string" : path)} {problem}");
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckCharacters(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), errors);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var known = KnownProperties.Contains(property.Name);
                    if (!known && Characters.FirstProblem(property.Name) is { } nameProblem)
                    {
                        errors.Add($"a property name in {(path.Length == 0 ? "the message" : path)} {nameProblem}");
                    }

                    var name = known ? property.Name : "(an unknown property)";
                    CheckCharacters(property.Value, path.Length == 0 ? name : $"{path}.{name}", errors);
                }

                break;
        }
    }

    /// <summary>The eventId of a refused message, for the operator, when it follows the id rule.</summary>
    private static string? LenientEventId(JsonElement root) =>
        root.TryGetProperty("eventId", out var value)
        && value.ValueKind == JsonValueKind.String
        && value.GetString()!.Trim() is { Length: > 0 and <= ContractLimits.MaxIdLength } id
        && Characters.IsPrintableAscii(id)
            ? id
            : null;

    /// <summary>The JSON type of a value, for a reason: never the value itself, which may be personal data.</summary>
    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    [GeneratedRegex("'.*'", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex QuotedInput();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    internal static partial Regex IsoInstant();
}
