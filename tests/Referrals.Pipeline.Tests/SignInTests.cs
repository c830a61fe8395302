using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Referrals.Functions;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Storage;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// The one sign-in gate, through the Functions app's own classes: the client-principal header is trusted only while
/// App Service authentication is on, and then only with the door's app role; the queues and timers run whatever the
/// sign-in settings say.
/// </summary>
[Collection(AzuriteGroup.Name)]
public sealed class SignInTests(AzuriteFixture azurite)
{
    private const string On = "True";

    private static Dictionary<string, string?> Platform(string? enabled) => new() { [SignInOptions.PlatformSetting] = enabled };

    private static (string, string) Principal(params string[] roles) => (ClientPrincipal.Header, Convert.ToBase64String(Encoding.UTF8.GetBytes(
        $$"""{"auth_typ":"aad","name_typ":"name","role_typ":"roles","claims":[{"typ":"name","val":"Analyst"}{{string.Concat(roles.Select(r => $",{{\"typ\":\"roles\",\"val\":\"{r}\"}}"))}}]}""")));

    private static readonly (string, string) Browser = ("Accept", "text/html,application/xhtml+xml");

    private static async Task<FunctionResponse> DashboardAsync(FunctionsApp app, string path, params (string, string)[] headers)
    {
        var request = FunctionsApp.Get($"/api/dashboard{(path.Length > 0 && path[0] != '?' ? "/" : "")}{path}", headers);
        return (FunctionResponse)await app.Function<GetDashboard>().Run(request, path.Split('?')[0], CancellationToken.None);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("False")]
    [InlineData("false")]
    [InlineData("yes")]
    [InlineData("")]
    public async Task While_App_Service_authentication_is_off_the_dashboard_and_the_tallies_refuse_a_self_made_principal_header(string? enabled)
    {
        await using var app = await FunctionsApp.StartAsync(azurite, Platform(enabled));

        var page = await DashboardAsync(app, "", Principal("Tallies.Read"), Browser);
        var data = await DashboardAsync(app, "data?from=2026-10&to=2026-10", Principal("Tallies.Read"));
        var tallies = (FunctionResponse)await app.Function<GetTallies>().Run(FunctionsApp.Get("/api/tallies?from=2026-10&to=2026-10", Principal("Tallies.Read")), CancellationToken.None);

        Assert.All([page, data, tallies], r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.All([page, data, tallies], r => Assert.Contains("Sign-in (App Service authentication) is not switched on", r.Text, StringComparison.Ordinal));
        Assert.All([page, data, tallies], r => Assert.DoesNotContain("\"months\"", r.Text, StringComparison.Ordinal));
        Assert.DoesNotContain("<html", page.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task While_App_Service_authentication_is_on_the_dashboard_serves_a_signed_in_person_with_its_role_and_no_one_else()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, Platform(On));

        var page = await DashboardAsync(app, "", Principal("Tallies.Read"), Browser);
        var data = await DashboardAsync(app, "data?from=2026-10&to=2026-10", Principal("Tallies.Read"));
        var noRole = await DashboardAsync(app, "data?from=2026-10&to=2026-10", Principal("Tallies.Write"));
        var forged = await DashboardAsync(app, "data?from=2026-10&to=2026-10", (ClientPrincipal.Header, "not base64 {"));
        var anonymousPage = await DashboardAsync(app, "?from=2026-10&to=2026-11", Browser);
        var anonymousData = await DashboardAsync(app, "data?from=2026-10&to=2026-10");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/api/dashboard/app.js", page.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        Assert.Contains("\"months\"", data.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Contains("does not have the app role Tallies.Read", noRole.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Found, anonymousPage.StatusCode);
        Assert.Equal("/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fdashboard%3Ffrom%3D2026-10%26to%3D2026-11", anonymousPage.Header("Location"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousData.StatusCode);
        Assert.Null(anonymousData.Header("Location"));
        Assert.All([noRole, forged, anonymousData], r => Assert.DoesNotContain("\"months\"", r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_tallies_API_answers_a_client_with_its_app_role_and_never_redirects_one_without()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = On, ["SignIn:TalliesApiRole"] = "Tallies.Api" });

        async Task<FunctionResponse> TalliesAsync(params (string, string)[] headers) =>
            (FunctionResponse)await app.Function<GetTallies>().Run(FunctionsApp.Get("/api/tallies?from=2026-10&to=2026-10", headers), CancellationToken.None);

        var client = await TalliesAsync(Principal("Tallies.Api"));
        var person = await TalliesAsync(Principal("Tallies.Read"), Browser);
        var nobody = await TalliesAsync(Browser);

        Assert.Equal(HttpStatusCode.OK, client.StatusCode);
        Assert.Contains("\"months\"", client.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, person.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, nobody.StatusCode);
        Assert.Null(nobody.Header("Location"));
    }

    [Fact]
    public async Task Suppression_is_the_servers_every_reader_without_the_unsuppressed_role_gets_the_setting_whatever_it_asks_for()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = On, ["Tallies:SuppressBelow"] = "7" });

        async Task<JsonElement> TalliesAsync(string query, params string[] roles) => JsonDocument.Parse(((FunctionResponse)await app.Function<GetTallies>()
            .Run(FunctionsApp.Get($"/api/tallies?from=2026-10&to=2026-10{query}", Principal(roles)), CancellationToken.None)).Text).RootElement.Clone();
        async Task<JsonElement> DataAsync(string query, params string[] roles) => JsonDocument.Parse((await DashboardAsync(app, $"data?from=2026-10&to=2026-10{query}", Principal(roles))).Text).RootElement.Clone();

        foreach (var reader in new[] { await TalliesAsync("&suppressBelow=0", "Tallies.Read"), await TalliesAsync("", "Tallies.Read"), await TalliesAsync("&suppressBelow=2", "Tallies.Read"), await DataAsync("&suppressBelow=0", "Tallies.Read") })
        {
            Assert.Equal(7, reader.GetProperty("suppressBelow").GetInt32());
        }

        Assert.Equal(9, (await TalliesAsync("&suppressBelow=9", "Tallies.Read")).GetProperty("suppressBelow").GetInt32()); // more is allowed
        Assert.False((await TalliesAsync("&suppressBelow=0", "Tallies.Read", "Tallies.Unsuppressed")).TryGetProperty("suppressBelow", out _));
        Assert.False((await DataAsync("", "Tallies.Read", "Tallies.Unsuppressed")).TryGetProperty("suppressBelow", out _));
        Assert.Equal(3, (await DataAsync("&suppressBelow=3", "Tallies.Read", "Tallies.Unsuppressed")).GetProperty("suppressBelow").GetInt32());
    }

    [Fact]
    public async Task A_role_setting_that_cannot_be_a_role_closes_its_door_and_the_health_endpoint_names_it()
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = On, ["SignIn:DashboardRole"] = "Tallies Read, everyone" });

        var page = await DashboardAsync(app, "", Principal("Tallies Read, everyone"), Browser);
        var health = app.Services.GetRequiredService<SignInGate>().Health();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("SignIn:DashboardRole is not an app role value", page.Text, StringComparison.Ordinal);
        Assert.False(health.Healthy);
        Assert.Equal("SignIn:DashboardRole is not an app role value: its door refuses everyone", health.Detail);
    }

    public static TheoryData<string?, string?> SignInSettings => new()
    {
        { null, null },
        { "false", "Tallies.Read" },
        { "not a boolean", "not a role at all!" },
        { On, "" },
        { On, "Tallies.Read" },
    };

    [Theory]
    [MemberData(nameof(SignInSettings))]
    public async Task Queue_and_timer_functions_run_whatever_the_sign_in_settings(string? enabled, string? role)
    {
        await using var app = await FunctionsApp.StartAsync(azurite, new Dictionary<string, string?> { [SignInOptions.PlatformSetting] = enabled, ["SignIn:DashboardRole"] = role, ["SignIn:TalliesApiRole"] = role });

        await app.Function<IngestCrimeEvent>().Run(FunctionsApp.Message(Samples.Lines[0]));
        await app.Function<ReportDeadLetters>().Run(FunctionsApp.Timer(), CancellationToken.None);
        var stored = await app.Services.GetRequiredService<VictimStateStore>().LoadAsync("DB/26/000101", CancellationToken.None);
        var beats = await app.Services.GetRequiredService<HeartbeatStore>().ReadAsync(CancellationToken.None);

        Assert.NotEmpty(stored.Victims);
        Assert.Equal("succeeded", beats[HeartbeatStore.TimerRow(nameof(ReportDeadLetters))].LastOutcome);
        Assert.NotNull(beats[HeartbeatStore.RecordsSystemRow].LastSnapshotAt);
    }
}
