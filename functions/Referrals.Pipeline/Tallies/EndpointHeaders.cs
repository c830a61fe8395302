using Referrals.Pipeline.Dashboard;

namespace Referrals.Pipeline.Tallies;

/// <summary>The headers of every answer of the tallies endpoint, the dashboard and the worklist, the same from both hosts.</summary>
public static class EndpointHeaders
{
    public static IEnumerable<(string Name, string Value)> Of(EndpointResponse answer)
    {
        yield return ("Content-Type", answer.ContentType);
        yield return ("Cache-Control", "no-store");
        yield return ("X-Content-Type-Options", "nosniff");
        yield return ("Content-Security-Policy", DashboardEndpoint.ContentSecurityPolicy);
        yield return ("Referrer-Policy", "no-referrer");
        if (answer.Location is { } location)
        {
            yield return ("Location", location);
        }

        if (answer.RetryAfter is { } seconds)
        {
            yield return ("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (answer.SetCookie is { } cookie)
        {
            yield return ("Set-Cookie", cookie);
        }

        if (answer.FileName is { } file)
        {
            yield return ("Content-Disposition", $"attachment; filename=\"{file}\"");
        }
    }
}
