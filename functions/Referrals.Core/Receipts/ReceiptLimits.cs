using System.Text.Json;

namespace Referrals.Receipts;

/// <summary>What a webhook or callback may be, before anything in it is believed.</summary>
public static class ReceiptLimits
{
    /// <summary>Far above any batch a provider posts (SendGrid batches are tens of KiB); a larger body is refused unread.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// A signed request older than this is refused. SendGrid retries a batch for up to 24 hours after the event and
    /// documents no fresh signature for a retry, so a retry may carry its first timestamp: 25 hours lets every retry in.
    /// A replay within it changes nothing, as receipts are idempotent (docs/receipts.md, "Why 25 hours").
    /// </summary>
    public static readonly TimeSpan MaxSignatureAge = TimeSpan.FromHours(25);

    /// <summary>A signed request whose timestamp is further ahead of our clock than this is refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
}

/// <summary>A provider's body as JSON, read the same way for every provider.</summary>
public static class ReceiptJson
{
    /// <summary>The body as a JSON document (UTF-8, at most 16 levels deep; the caller disposes it), or null with the problem.</summary>
    public static JsonDocument? TryParse(ReadOnlySpan<byte> body, out string? problem)
    {
        problem = null;

        // JSON text must be UTF-8; a string with invalid bytes would parse and then fail on reading.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            problem = "the body is not UTF-8";
            return null;
        }

        try
        {
            return JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            problem = "the body is not JSON";
            return null;
        }
    }

    /// <summary>The body as a JSON document whose root is an object (the caller disposes it), or null with the problem.</summary>
    public static JsonDocument? TryParseObject(ReadOnlySpan<byte> body, out string? problem)
    {
        var document = TryParse(body, out problem);
        if (document is { RootElement.ValueKind: not JsonValueKind.Object })
        {
            document.Dispose();
            problem = "the body is not a JSON object";
            return null;
        }

        return document;
    }

    /// <summary>A property that is a UUID in a string, or null.</summary>
    public static Guid? Uuid(JsonElement item, string name) =>
        item.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && Guid.TryParse(element.GetString(), out var id) ? id : null;
}

/// <summary>Why a request was refused before its body was believed. The reason names what was wrong, never a value.</summary>
public enum RequestCheck
{
    Valid,

    /// <summary>No signature, timestamp or token where the provider always sends one.</summary>
    Missing,

    /// <summary>The timestamp is older than <see cref="ReceiptLimits.MaxSignatureAge"/>, or further ahead than <see cref="ReceiptLimits.MaxClockSkew"/>.</summary>
    Stale,

    /// <summary>The signature does not verify, or the token does not match.</summary>
    Forged,

    /// <summary>Nothing to check against: the public key or token setting is empty or unusable. Everything is refused.</summary>
    NotConfigured,
}

/// <summary>A body parsed, or the reason (naming a field, never quoting a value) it is not what the provider sends.</summary>
public sealed record Parsed<T>(T? Value, string? Problem)
    where T : class;

public static class Parsed
{
    public static Parsed<T> Ok<T>(T value)
        where T : class => new(value, null);

    public static Parsed<T> Refused<T>(string problem)
        where T : class => new(null, problem);
}
