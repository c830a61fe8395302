using System.Collections.Specialized;
using System.Text;
using System.Web;
using Microsoft.Extensions.Logging;
using Referrals.Messages;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Tallies;
using Referrals.Pipeline.Tasks;
using Referrals.Tasks;

namespace Referrals.Pipeline.Worklist;

/// <summary>A request to the worklist, as either host hands it on, after the sign-in gate let <paramref name="Person"/> in.</summary>
/// <param name="Path">The path after <c>/api/worklist</c>, without its leading slash.</param>
/// <param name="Https">The request came over HTTPS (the Functions app): the cookie is Secure and __Host- prefixed.</param>
/// <param name="FetchSite">The browser's Sec-Fetch-Site header: a post a browser says came from another site is refused.</param>
public sealed record WorklistRequest(string Method, string? Path, NameValueCollection Query, string? Cookie, string? FetchSite, byte[] Body, SignedInPerson Person, bool Https);

/// <summary>
/// The Victim Care Unit's worklist (docs/worklist.md, "The worklist page"): <c>GET /api/worklist?view=open|today|overdue|mine&amp;kind=K</c>
/// (the page), <c>GET /api/worklist/worklist.css</c>, and <c>POST /api/worklist/tasks/{id}/{claim|release|close}</c>
/// (plain HTML forms). A post is acted on only with a valid anti-forgery token (<see cref="AntiForgery"/>); refused, it
/// changes nothing. Done, it redirects (303) to the page it came from; refused by the rules, the page says why (409).
/// No victim data in a URL: the addresses carry a view, a kind, an action and an opaque task id only.
/// </summary>
public sealed partial class WorklistEndpoint(WorklistTasks tasks, AntiForgery antiForgery, ForceIdentity force, ILogger<WorklistEndpoint> logger)
{
    public const string Route = "worklist";

    /// <summary>The largest form worth reading: a token, a view, a kind and an outcome are a few hundred bytes.</summary>
    public const int MaxBody = 16 * 1024;

    private const string Html = "text/html; charset=utf-8";

    /// <summary>A principal with the role but neither a name nor an id: nobody to record in the audit trail, so nothing is done.</summary>
    public static EndpointResponse NobodyNamed => TalliesEndpoint.Problem("Your sign-in does not say who you are (no name claim), so nothing can be recorded; sign in again.", 401);

    /// <summary>A request's body, read no further than one byte past <see cref="MaxBody"/> (a larger one is refused).</summary>
    public static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBody + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }

    public async Task<EndpointResponse> HandleAsync(WorklistRequest request, CancellationToken cancellationToken)
    {
        var path = (request.Path ?? string.Empty).Trim('/');
        if (request.Method == "GET")
        {
            return path switch
            {
                "" => await PageAsync(request, request.Query, null, 200, cancellationToken),
                "worklist.css" => new EndpointResponse(200, "text/css; charset=utf-8", Stylesheet.Value),
                _ => NotFound(),
            };
        }

        if (request.Method != "POST" || path.Split('/') is not ["tasks", var typedId, var typedAction])
        {
            return request.Method == "POST" ? NotFound() : new EndpointResponse(405, "text/plain; charset=utf-8", "GET or POST."u8.ToArray());
        }

        if (request.Body.Length > MaxBody)
        {
            return new EndpointResponse(413, "text/plain; charset=utf-8", "The form is too large."u8.ToArray());
        }

        var form = HttpUtility.ParseQueryString(Encoding.UTF8.GetString(request.Body));
        if (request.FetchSite == "cross-site" || !antiForgery.Verify(request.Person.Id, form["token"], AntiForgery.FromCookieHeader(request.Cookie, request.Https)))
        {
            LogForgeryRefused(logger, typedAction.Length <= 10 ? typedAction : "?");
            return Forbidden();
        }

        if (TaskIds.Normalise(typedId) is not { } taskId || WorklistRule.ActionOf(typedAction) is not { } action)
        {
            return NotFound();
        }

        var outcome = WorklistRule.OutcomeOf(form["outcome"]);
        if (action == WorklistAction.Close && outcome is null)
        {
            return await PageAsync(request, form, "Choose an outcome before closing the task.", 400, cancellationToken);
        }

        TaskActionResult result;
        try
        {
            result = await tasks.ActAsync(action, taskId, outcome, request.Person.Name, cancellationToken);
        }
        catch (HandOnFailedException)
        {
            LogHandOnFailed(logger, taskId, action);
            return await PageAsync(request, form, $"Task {taskId}: recorded, but what it asks for could not be queued yet. Do the same again to hand it on.", 503, cancellationToken);
        }

        LogAction(logger, taskId, action, result.Outcome);
        return result.Outcome switch
        {
            TaskActionOutcome.Done => new EndpointResponse(303, "text/plain; charset=utf-8", "Done."u8.ToArray())
            {
                Location = $"{WorklistPage.Href(ViewOf(form), KindOf(form))}&done={action.ToString().ToLowerInvariant()}&task={taskId}",
            },
            TaskActionOutcome.NotFound => await PageAsync(request, form, $"There is no task {taskId}.", 404, cancellationToken),
            _ => await PageAsync(request, form, $"Task {taskId}: {result.Message}.", 409, cancellationToken),
        };
    }

    private async Task<EndpointResponse> PageAsync(WorklistRequest request, NameValueCollection fields, string? refusal, int status, CancellationToken cancellationToken)
    {
        if (WorklistRule.ViewOf(fields["view"]) is not { } view || !WorklistRule.TryKindOf(fields["kind"], out var kind))
        {
            return new EndpointResponse(400, "text/plain; charset=utf-8", "'view' must be open, today, overdue or mine; 'kind' a kind of task."u8.ToArray());
        }

        var (shown, more) = await tasks.ListAsync(view, kind, request.Person.Name, cancellationToken);
        var token = antiForgery.TokenFor(request.Person.Id, AntiForgery.FromCookieHeader(request.Cookie, request.Https));
        var said = refusal ?? Done(fields);
        var page = WorklistPage.Render(new WorklistPageModel(force.Name, request.Person.Name, tasks.Now, tasks.Today, view, kind, shown, more, token, said, refusal is not null));
        return new EndpointResponse(status, Html, Encoding.UTF8.GetBytes(page)) { SetCookie = AntiForgery.Cookie(token, request.Https) };
    }

    /// <summary>What the redirect after a done action says: fixed words and a well-formed task id, nothing else from the address.</summary>
    private static string? Done(NameValueCollection query) =>
        TaskIds.Normalise(query["task"]) is { } id && WorklistRule.ActionOf(query["done"]) is { } action
            ? action switch
            {
                WorklistAction.Claim => $"Task {id} claimed: it is yours until you close or release it.",
                WorklistAction.Release => $"Task {id} released: open for anyone.",
                _ => $"Task {id} closed: done, and gone from the open list.",
            }
            : null;

    private static WorklistView ViewOf(NameValueCollection form) => WorklistRule.ViewOf(form["view"]) ?? WorklistView.Open;

    private static TaskKind? KindOf(NameValueCollection form) => WorklistRule.TryKindOf(form["kind"], out var kind) ? kind : null;

    private static EndpointResponse NotFound() => new(404, "text/plain; charset=utf-8", "Not found."u8.ToArray());

    private static EndpointResponse Forbidden() => new(403, Html, Encoding.UTF8.GetBytes(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + $"<title>Nothing changed – Victim Care Unit worklist</title>\n<link rel=\"stylesheet\" href=\"{WorklistPage.Path}/worklist.css\">\n</head>\n<body>\n<main>\n"
        + "<h1>Nothing changed</h1>\n<p>This form is out of date, or it did not come from the worklist, so it was not acted on.</p>\n"
        + $"<p><a href=\"{WorklistPage.Path}\">Open the worklist again</a> and do it from there.</p>\n</main>\n</body>\n</html>\n"));

    private static readonly Lazy<byte[]> Stylesheet = new(() =>
    {
        using var stream = typeof(WorklistEndpoint).Assembly.GetManifestResourceStream("worklist/worklist.css")
            ?? throw new InvalidOperationException("The worklist's stylesheet is not embedded in the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worklist: a {Action} post without a valid anti-forgery token was refused; nothing changed")]
    private static partial void LogForgeryRefused(ILogger logger, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worklist: {Action} on task {TaskId}: {Outcome}")]
    private static partial void LogAction(ILogger logger, string taskId, WorklistAction action, TaskActionOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worklist: {Action} on task {TaskId} was recorded, but its hand-on failed")]
    private static partial void LogHandOnFailed(ILogger logger, string taskId, WorklistAction action);
}
