using Microsoft.Azure.Functions.Worker.Http;
using Referrals.Pipeline.Tallies;

namespace Referrals.Functions;

/// <summary>An <see cref="EndpointResponse"/> as the Functions app sends it, with the headers every answer of the tallies and the dashboard carries.</summary>
internal static class EndpointResponses
{
    public static async Task<HttpResponseData> WriteAsync(HttpRequestData request, EndpointResponse answer, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse((System.Net.HttpStatusCode)answer.Status);
        foreach (var (name, value) in EndpointHeaders.Of(answer))
        {
            response.Headers.Add(name, value);
        }

        await response.Body.WriteAsync(answer.Body, cancellationToken);
        return response;
    }
}
