using System.Globalization;
using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>The webhook and health functions' plumbing (and the sign-in gate's headers): headers in, an <see cref="EndpointResponse"/> out.</summary>
internal static class WebhookRequests
{
    public static string? Header(HttpRequestData request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public static long? DeclaredLength(HttpRequestData request) =>
        long.TryParse(Header(request, "Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null;

    public static async Task<HttpResponseData> RespondAsync(HttpRequestData request, EndpointResponse answer, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse((System.Net.HttpStatusCode)answer.Status);
        response.Headers.Add("Content-Type", answer.ContentType);
        response.Headers.Add("Cache-Control", "no-store");
        await response.Body.WriteAsync(answer.Body, cancellationToken);
        return response;
    }
}
