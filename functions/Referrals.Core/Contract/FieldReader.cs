using System.Globalization;
using System.Text.Json;

namespace Referrals.Contract;

/// <summary>
/// Reads one field of a JSON object by its contract rule, recording a violation named by its path.
/// A violation names the field and the rule, never the value: reasons are logged, values may be personal data.
/// </summary>
internal sealed class FieldReader(Violations errors)
{
    public JsonElement? RequiredObject(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{path} is required");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object, not {CrimeEventParser.Describe(value)}");
            return null;
        }

        return value;
    }

    public JsonElement? OptionalObject(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object or null, not {CrimeEventParser.Describe(value)}");
            return null;
        }

        return value;
    }

    public string? RequiredText(JsonElement parent, string name, string path, int maxLength)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{path} is required");
            return null;
        }

        var text = Text(value, path, maxLength);
        if (text is not null && text.Length == 0)
        {
            errors.Add($"{path} must not be empty");
            return null;
        }

        return text;
    }

    /// <summary>An id or reference: 1 to <see cref="ContractLimits.MaxIdLength"/> printable ASCII characters (U+0020–U+007E).</summary>
    public string? RequiredId(JsonElement parent, string name, string path)
    {
        var id = RequiredText(parent, name, path, ContractLimits.MaxIdLength);
        if (id is not null && !Characters.IsPrintableAscii(id))
        {
            // Control characters were already reported by the character check of the whole message.
            if (id.Any(c => !char.IsControl(c)
                && !Characters.IsBidiControl(c) && !Characters.IsSeparator(c) && !Characters.IsPrintableAscii(c)))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{path} must be 1 to {ContractLimits.MaxIdLength} printable ASCII characters (U+0020 to U+007E)"));
            }

            return null;
        }

        return id;
    }

    public string? OptionalText(JsonElement parent, string name, string path, int maxLength, bool multiline = false)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = Text(value, path, maxLength);
        if (text is not null && multiline)
        {
            text = Characters.JoinLines(text).Trim();
        }

        return string.IsNullOrEmpty(text) ? null : text;
    }

    public bool? OptionalBool(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            default:
                errors.Add($"{path} must be true, false or null, not {CrimeEventParser.Describe(value)}");
                return null;
        }
    }

    /// <summary>An ISO 8601 instant with an offset, from 2000-01-01 to 2100-01-01 (UTC).</summary>
    public DateTimeOffset? RequiredInstant(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{path} is required");
            return null;
        }

        const string Format = "an ISO 8601 instant with an offset (e.g. 2026-10-05T08:50:00+01:00)";
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path} must be {Format}, not {CrimeEventParser.Describe(value)}");
            return null;
        }

        var text = value.GetString()!;
        if (!CrimeEventParser.IsoInstant().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            errors.Add($"{path} must be {Format}");
            return null;
        }

        if (instant < ContractLimits.EarliestInstant || instant > ContractLimits.LatestInstant)
        {
            errors.Add($"{path} must be from 2000-01-01 to 2100-01-01");
            return null;
        }

        return instant;
    }

    private string? Text(JsonElement value, string path, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path} must be a string, not {CrimeEventParser.Describe(value)}");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length > maxLength)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path} is {text.Length} characters; at most {maxLength} are allowed"));
            return null;
        }

        return text;
    }
}
