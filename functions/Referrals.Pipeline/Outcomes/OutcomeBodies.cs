using System.Text;
using System.Text.Json;
using Referrals.Pipeline.Tallies;

namespace Referrals.Pipeline.Outcomes;

/// <summary>The outcome API's plumbing: a body read within its bound, a query value, and its answers (problem+json naming a rule, never a value).</summary>
public static class OutcomeBodies
{
    public static async Task<byte[]?> ReadAsync(Stream body, long? declaredLength, int maxBytes, CancellationToken cancellationToken)
    {
        if (declaredLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The first value of <paramref name="name"/> in a query string (with or without its "?"), unescaped; null if absent or malformed.</summary>
    public static string? QueryValue(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0] == name)
            {
                try
                {
                    return Uri.UnescapeDataString(parts[1].Replace('+', ' '));
                }
                catch (UriFormatException)
                {
                    return null;
                }
            }
        }

        return null;
    }

    public static EndpointResponse Json(int status, object value) =>
        new(status, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));

    public static EndpointResponse Problem(int status, string detail) =>
        new(status, "application/problem+json; charset=utf-8", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "about:blank", title = detail.Split(':')[0], status, detail })));
}
