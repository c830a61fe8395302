using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Referrals.Contract;

/// <summary>
/// Every crime reference a message seems to name, read leniently: a rejected message may be JSON the contract refuses,
/// JSON cut short, or not JSON at all, and its dead letter must still be found by each crime it names (subject access,
/// erasure). A string under "crime" → "reference", at any depth and as often as it appears, read token by token until
/// the JSON breaks; then the same pattern in the raw text, for what follows the break (the crime's own objects, such as its
/// offence, may come before its reference). A reference is always a whole JSON string: DB/26/12 never matches DB/26/123.
/// </summary>
public static partial class CrimeReferences
{
    /// <summary>At most this many references per message: each is one index row.</summary>
    public const int Max = 10;

    /// <summary>A reference longer than this is not indexed (the contract allows far less).</summary>
    public const int MaxLength = 200;

    public static IReadOnlyList<string> In(ReadOnlySpan<byte> message)
    {
        var found = new List<string>();
        void Add(string? reference)
        {
            if (reference is { Length: > 0 and <= MaxLength } && found.Count < Max && !found.Contains(reference, StringComparer.Ordinal))
            {
                found.Add(reference);
            }
        }

        var path = new List<string?>();
        string? property = null;
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add(property);
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        property = null;
                        break;
                    case JsonTokenType.String when property is not null && Is(property, "reference") && path.Count > 0 && path[^1] is { } parent && Is(parent, "crime"):
                        Add(reader.GetString());
                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }

            return found;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Broken or cut short: what follows the break may still name crimes.
        }

        try
        {
            foreach (Match match in InText().Matches(Encoding.UTF8.GetString(message)))
            {
                try
                {
                    Add(JsonSerializer.Deserialize<string>($"\"{match.Groups[1].Value}\""));
                }
                catch (JsonException)
                {
                    // Not a JSON string after all.
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // What was found in time is kept.
        }

        return found;
    }

    private static bool Is(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("""
        "crime"\s*:\s*\{(?:[^{}]|\{[^{}]*\})*?"reference"\s*:\s*"((?:[^"\\\r\n]|\\.){1,400})"
        """, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex InText();
}
