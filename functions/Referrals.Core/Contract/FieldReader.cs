using System.Globalization;
using System.Text.Json;

namespace Referrals.Contract;

/// <summary>Reads one field of a JSON object by its contract rule, recording a violation named by its path.</summary>
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

        var text = Text(value, path, maxLength, multiline: false, allowControl: false);
        if (text is not null && text.Length == 0)
        {
            errors.Add($"{path} must not be empty");
            return null;
        }

        return text;
    }

    public string? OptionalText(JsonElement parent, string name, string path, int maxLength, bool multiline = false, bool allowControl = false)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = Text(value, path, maxLength, multiline, allowControl);
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

    public DateTimeOffset? RequiredInstant(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add($"{path} is required");
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text
            && CrimeEventParser.IsoInstant().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            return instant;
        }

        errors.Add($"{path} must be an ISO 8601 instant with an offset (e.g. 2026-10-05T08:50:00+01:00), not {CrimeEventParser.Describe(value)}");
        return null;
    }

    private string? Text(JsonElement value, string path, int maxLength, bool multiline, bool allowControl)
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

        if (!allowControl && CrimeEventParser.HasControlCharacters(text, multiline))
        {
            errors.Add($"{path} must not contain control characters such as line breaks");
            return null;
        }

        return text;
    }
}
