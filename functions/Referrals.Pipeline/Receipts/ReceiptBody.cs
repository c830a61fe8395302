using System.Text;
using System.Text.Json;
using Referrals.Pipeline.Tallies;
using Referrals.Receipts;

namespace Referrals.Pipeline.Receipts;

/// <summary>
/// Reading a webhook's body, or a provider's answer to a look-up, within <see cref="ReceiptLimits.MaxBodyBytes"/>; and
/// the endpoints' answers.
/// </summary>
public static class ReceiptBody
{
    /// <summary>The whole body, or null when it is larger than the limit (read no further than one byte past it).</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength > ReceiptLimits.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, ReceiptLimits.MaxBodyBytes + 1 - buffer.Length)), cancellationToken)) > 0)
        {
            if (buffer.Length + read > ReceiptLimits.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A provider's answer to a look-up read as a webhook's body is, or null when it is larger than the limit. Asked for
    /// with <see cref="HttpCompletionOption.ResponseHeadersRead"/> (else the client has already buffered it all), so the
    /// client's timeout ended with the headers: reading the body has <paramref name="timeout"/> of its own (an
    /// <see cref="OperationCanceledException"/> when it runs out).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await using var body = await content.ReadAsStreamAsync(deadline.Token);
        return await ReadAsync(body, content.Headers.ContentLength, deadline.Token);
    }

    public static EndpointResponse Ok(object counts) =>
        new(200, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(counts, JsonSerializerOptions.Web));

    /// <summary>400 with a reason that names what is wrong, never a value from the body.</summary>
    public static EndpointResponse BadRequest(string detail) => Problem(400, "Bad request", detail);

    /// <summary>409: the receipt names one of the pipeline's messages but is not from it; nothing changed.</summary>
    public static EndpointResponse Conflict(string detail) => Problem(409, "Conflict", detail);

    /// <summary>401 that says no more than that: a caller probing the check learns nothing from it.</summary>
    public static EndpointResponse Unauthorized() => Problem(401, "Unauthorized", "The request is not signed (or authorised) as the provider would.");

    /// <summary>500: the receipts could not be applied now; the provider sends them again.</summary>
    public static EndpointResponse TryAgain() => Problem(500, "Try again", "The receipts could not be recorded now.");

    private static EndpointResponse Problem(int status, string title, string detail) =>
        new(status, "application/problem+json; charset=utf-8", Encoding.UTF8.GetBytes(
            JsonSerializer.Serialize(new { type = "about:blank", title, status, detail })));
}
