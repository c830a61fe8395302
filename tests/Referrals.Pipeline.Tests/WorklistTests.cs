using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Functions;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Storage;
using Referrals.Privacy;
using Referrals.Tasks;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The Victim Care Unit's worklist through the Functions app's own function class (ServeWorklist) on Azurite, as App
/// Service authentication hands requests on: the page only for a signed-in person with the VictimCareUnit role; a post
/// without the role, or without a valid anti-forgery token (missing, tampered, another person's, only in the form or only
/// in the cookie, or from another site), refused with nothing changed and nothing audited; with both, a claim and a close
/// recorded in the person's name. Hostile task data stays one encoded value; no free text, no unsafe contact.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed partial class WorklistTests(AzuriteFixture azurite)
{
    private const string Crime = "DB/26/000926";

    private static readonly (string, string) Browser = ("Accept", "text/html,application/xhtml+xml");

    /// <summary>A domestic-abuse victim not yet asked (a ConsentRequest task), with a hostile name, offence free text, a safe email and an unsafe phone.</summary>
    public static string HostileConsentRequest()
    {
        var line = JsonNode.Parse(Samples.Lines.First(l => l.Contains("\"DB/26/000113\"", StringComparison.Ordinal)))!;
        line["eventId"] = "0b6f2f0e-9d7c-4a51-9a43-2c1d8e3f9926";
        line["crime"]!["reference"] = Crime;
        line["crime"]!["offence"]!["description"] = "FREE-TEXT-OF-THE-OFFENCE the suspect lives at 4 Hidden Lane";
        var victim = line["victims"]![0]!;
        // Line breaks are refused by the contract; what is left to try is markup and words that look like labels.
        victim["givenName"] = "\"'><script>alert(1)</script><dt>Crime reference</dt><dd>XX/00/000000";
        victim["familyName"] = "Taylor</dd></dl><form action=\"https://evil.example\">";
        victim["support"] = "NotAsked";
        victim["email"] = "victim926@example.org";
        victim["emailSafe"] = true;
        victim["phone"] = "07700 900926";
        victim["phoneSafe"] = false;
        return line.ToJsonString();
    }

    public static (string, string) Principal(string name, string objectId, params string[] roles) => (ClientPrincipal.Header, Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $$"""{"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[{"typ":"name","val":"{{name}}"},{"typ":"http://schemas.microsoft.com/identity/claims/objectidentifier","val":"{{objectId}}"}{{string.Concat(roles.Select(r => $",{{\"typ\":\"roles\",\"val\":\"{r}\"}}"))}}]}""")));

    private static readonly (string, string) Patel = Principal("A. Patel", "aaaaaaaa-0000-0000-0000-000000000001", "VictimCareUnit");
    private static readonly (string, string) Jones = Principal("B. Jones", "bbbbbbbb-0000-0000-0000-000000000002", "VictimCareUnit");
    private static readonly (string, string) Analyst = Principal("C. Analyst", "cccccccc-0000-0000-0000-000000000003", "Tallies.Read");

    private static async Task<FunctionResponse> GetAsync(FunctionsApp app, string pathAndQuery, params (string, string)[] headers) =>
        (FunctionResponse)await app.Function<ServeWorklist>().Run(FunctionsApp.Get($"/api/worklist{pathAndQuery}", headers), null, CancellationToken.None);

    private static async Task<FunctionResponse> PostAsync(FunctionsApp app, string taskId, string action, string form, params (string, string)[] headers) =>
        (FunctionResponse)await app.Function<ServeWorklist>().Run(FunctionsApp.Post($"/api/worklist/tasks/{taskId}/{action}", form, headers), $"tasks/{taskId}/{action}", CancellationToken.None);

    /// <summary>The token of a page's forms, and the cookie the page set (name=value), for one person.</summary>
    private static async Task<(string Token, (string, string) Cookie)> SignedPageAsync(FunctionsApp app, (string, string) person)
    {
        var page = await GetAsync(app, "", person, Browser);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = TokenField().Match(page.Text).Groups[1].Value;
        var cookie = page.Header("Set-Cookie")!;
        Assert.StartsWith($"__Host-worklist-token={token}; Path=/;", cookie, StringComparison.Ordinal);
        Assert.Contains("; HttpOnly; SameSite=Strict; Secure", cookie, StringComparison.Ordinal);
        return (token, ("Cookie", cookie.Split(';')[0]));
    }

    [Fact]
    public async Task A_post_without_the_role_or_a_valid_anti_forgery_token_changes_nothing_and_one_with_both_claims_and_closes_in_the_signed_in_persons_name()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = "True" });
        await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(HostileConsentRequest()));
        var states = app.Services.GetRequiredService<VictimStateStore>();
        var task = Assert.Single((await states.LoadVictimAsync(Crime, "V1", CancellationToken.None))!.State.Tasks.Tasks);
        Assert.Equal(TaskKind.ConsentRequest, task.Kind);

        // The page: only for a signed-in person with the role.
        var page = await GetAsync(app, "", Patel, Browser);
        var noRolePage = await GetAsync(app, "", Analyst, Browser);
        var anonymous = await GetAsync(app, "?view=today", Browser);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(task.Id, page.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, noRolePage.StatusCode);
        Assert.Contains("does not have the app role VictimCareUnit", noRolePage.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(task.Id, noRolePage.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Equal("/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fworklist%3Fview%3Dtoday", anonymous.Header("Location"));

        // What the page shows: the task's document, every value one encoded line; no free text, no unsafe contact.
        Assert.Contains("<dt>Victim</dt><dd>&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;dt&gt;Crime reference&lt;/dt&gt;&lt;dd&gt;XX/00/000000 Taylor&lt;/dd&gt;&lt;/dl&gt;&lt;form action=&quot;https://evil.example&quot;&gt;</dd>", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("evil.example\"", page.Text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(page.Text, "<dt>Crime reference</dt>"));
        Assert.Contains($"<dt>Crime reference</dt><dd>{Crime}</dd>", page.Text, StringComparison.Ordinal);
        Assert.Contains("<dd>victim926@example.org</dd>", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("900926", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("FREE-TEXT-OF-THE-OFFENCE", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden Lane", page.Text, StringComparison.Ordinal);
        Assert.Contains("Example Constabulary", page.Text, StringComparison.Ordinal);
        Assert.Matches("UK time\\): (a working day|not a working day)", page.Text);

        var (token, cookie) = await SignedPageAsync(app, Patel);
        var (jonesToken, jonesCookie) = await SignedPageAsync(app, Jones);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var claim = $"token={Uri.EscapeDataString(token)}&view=open";
        var refused = new List<(string Case, FunctionResponse Response)>
        {
            ("without the role", await PostAsync(app, task.Id, "claim", claim, Analyst, cookie)),
            ("not signed in", await PostAsync(app, task.Id, "claim", claim, Browser, cookie)),
            ("no token at all", await PostAsync(app, task.Id, "claim", "view=open", Patel)),
            ("the token in the form only", await PostAsync(app, task.Id, "claim", claim, Patel)),
            ("the token in the cookie only", await PostAsync(app, task.Id, "claim", "view=open", Patel, cookie)),
            ("a tampered token", await PostAsync(app, task.Id, "claim", $"token={tampered}", Patel, ("Cookie", $"__Host-worklist-token={tampered}"))),
            ("another person's token", await PostAsync(app, task.Id, "claim", $"token={Uri.EscapeDataString(jonesToken)}", Patel, jonesCookie)),
            ("form and cookie tokens that differ", await PostAsync(app, task.Id, "claim", $"token={Uri.EscapeDataString(jonesToken)}", Jones, cookie)),
            ("from another site", await PostAsync(app, task.Id, "claim", claim, Patel, cookie, ("Sec-Fetch-Site", "cross-site"))),
            ("a close without the role", await PostAsync(app, task.Id, "close", claim + "&outcome=Consented", Analyst, cookie)),
        };
        Assert.All(refused, r => Assert.True(r.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"{r.Case}: {r.Response.StatusCode}"));
        Assert.All(refused.Where(r => r.Response.StatusCode == HttpStatusCode.Forbidden && !r.Case.Contains("role", StringComparison.Ordinal)),
            r => Assert.Contains("Nothing changed", r.Response.Text, StringComparison.Ordinal));
        await using (var off = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = "False" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(off, task.Id, "claim", claim, Patel, cookie)).StatusCode);
        }

        var unchanged = (await states.LoadVictimAsync(Crime, "V1", CancellationToken.None))!.State.Tasks.Find(task.Id)!;
        Assert.Equal((TaskState.Open, (string?)null, 1), (unchanged.State, unchanged.ClaimedBy, unchanged.History.Count));
        var history = app.Services.GetRequiredService<VictimHistory>();
        Assert.DoesNotContain(await history.HistoryAsync(Crime, "V1", CancellationToken.None), e => e.Action == AuditAction.Task);

        // With the role and the page's token: claimed, then closed, each in the signed-in person's name, then gone from the list.
        var claimed = await PostAsync(app, task.Id, "claim", claim, Patel, cookie);
        var noOutcome = await PostAsync(app, task.Id, "close", claim, Patel, cookie);
        var byJones = await PostAsync(app, task.Id, "close", $"token={Uri.EscapeDataString(jonesToken)}&outcome=NotReached", Jones, jonesCookie);
        var closed = await PostAsync(app, task.Id, "close", $"{claim}&outcome=NotReached", Patel, cookie);
        Assert.Equal(HttpStatusCode.SeeOther, claimed.StatusCode);
        Assert.Equal($"/api/worklist?view=open&done=claim&task={task.Id}", claimed.Header("Location"));
        Assert.Equal(HttpStatusCode.BadRequest, noOutcome.StatusCode);
        Assert.Contains("Choose an outcome before closing the task.", noOutcome.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, byJones.StatusCode);
        Assert.Contains($"Task {task.Id}: the task is claimed by A. Patel: they close it, or release it first.", byJones.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, closed.StatusCode);

        var done = (await states.LoadVictimAsync(Crime, "V1", CancellationToken.None))!.State.Tasks.Find(task.Id)!;
        Assert.Equal((TaskState.Done, (TaskOutcome?)TaskOutcome.NotReached, "A. Patel"), (done.State, done.Outcome, done.ClosedBy));
        var audited = (await history.HistoryAsync(Crime, "V1", CancellationToken.None)).Where(e => e.Action == AuditAction.Task).ToList();
        Assert.Equal(["A. Patel", "A. Patel"], audited.Select(e => e.Operator));
        Assert.Contains(audited, e => e.Facts.Any(f => f.Contains("Claimed", StringComparison.Ordinal)));
        Assert.Contains(audited, e => e.Facts.Any(f => f.Contains("NotReached", StringComparison.Ordinal)));

        var after = await GetAsync(app, $"?view=open&done=close&task={task.Id}", Patel, Browser);
        Assert.Contains($"Task {task.Id} closed: done, and gone from the open list.", after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain($"id=\"h-{task.Id}\"", after.Text, StringComparison.Ordinal);
        Assert.Contains("All open: 0 tasks", after.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_loopback_the_local_server_serves_the_worklist_as_the_local_user_with_a_cookie_that_is_not_Secure_and_the_same_token_check()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?>());
        await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(HostileConsentRequest()));
        var task = Assert.Single((await app.Services.GetRequiredService<VictimStateStore>().LoadVictimAsync(Crime, "V1", CancellationToken.None))!.State.Tasks.Tasks);
        await using var server = await new LocalHost.LocalTalliesServer(app.Services.GetRequiredService<Tallies.TalliesEndpoint>(),
            worklist: app.Services.GetRequiredService<Worklist.WorklistEndpoint>()).StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

        using var page = await http.GetAsync(new Uri(server.WorklistUrl));
        var text = await page.Content.ReadAsStringAsync();
        var token = TokenField().Match(text).Groups[1].Value;
        var cookie = page.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains(task.Id, text, StringComparison.Ordinal);
        Assert.Contains($"Signed in as <strong>{WebUtility.HtmlEncode(LocalHost.LocalTalliesServer.LocalOperator.Name)}</strong>", text, StringComparison.Ordinal);
        Assert.StartsWith($"worklist-token={token}; Path=/;", cookie, StringComparison.Ordinal);
        Assert.EndsWith("; HttpOnly; SameSite=Strict", cookie, StringComparison.Ordinal);

        async Task<HttpResponseMessage> ClaimAsync(string form, string? cookieHeader)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri($"{server.WorklistUrl}/tasks/{task.Id}/claim")) { Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded") };
            if (cookieHeader is not null)
            {
                post.Headers.Add("Cookie", cookieHeader);
            }

            return await http.SendAsync(post);
        }

        using var forged = await ClaimAsync("view=open", cookie.Split(';')[0]);
        using var claimed = await ClaimAsync($"token={Uri.EscapeDataString(token)}&view=open", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, claimed.StatusCode);
        var claimedBy = (await app.Services.GetRequiredService<VictimStateStore>().LoadVictimAsync(Crime, "V1", CancellationToken.None))!.State.Tasks.Find(task.Id)!.ClaimedBy;
        Assert.Equal(LocalHost.LocalTalliesServer.LocalOperator.Name, claimedBy);
    }

    [GeneratedRegex("name=\"token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
