using System.Reflection;
using System.Text.Json.Nodes;
using Referrals.Functions;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Receipts;
using Worker = Microsoft.Azure.Functions.Worker;

namespace Referrals.Pipeline.Tests;

/// <summary>
/// main.bicep compiled with each environment's parameter file: App Service authentication deployed in every one, the
/// one list of paths without sign-in exactly the webhooks, the Notify callbacks and the health endpoint, and the
/// availability test of the health endpoint with its alert.
/// </summary>
public sealed class SignInAndHealthInfrastructureTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    private const string ClientId = "22222222-2222-2222-2222-222222222222";

    /// <summary>What every parameter file reads from the environment (the prod one has no defaults), the sign-in client id included.</summary>
    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["RECORDS_SYSTEM_PRINCIPAL_ID"] = "11111111-1111-1111-1111-111111111111",
        ["ALERT_EMAIL"] = "alerts@police.example",
        ["SENDGRID_FROM_ADDRESS"] = "vcu@police.example",
        ["NOTIFY_SMS_TEMPLATE_ID"] = "33333333-3333-3333-3333-333333333333",
        ["NOTIFY_LETTER_TEMPLATE_ID"] = "44444444-4444-4444-4444-444444444444",
        ["SIGN_IN_CLIENT_ID"] = ClientId,
        ["FORCE_DISPLAY_NAME"] = "Example Constabulary",
        ["FORCE_SHORT_NAME"] = "ExamplePol",
        ["VICTIM_CARE_UNIT_PHONE"] = "01632 960 101",
        ["VICTIM_CARE_UNIT_EMAIL"] = "victim.care@police.example",
        ["FORCE_WEBSITE"] = "https://www.police.example/",
        ["FORCE_PRIVACY_NOTICE"] = "https://www.police.example/privacy",
    };

    /// <summary>Every .bicepparam file: a new environment's file is checked without editing this test.</summary>
    public static TheoryData<string> ParameterFiles() =>
        [.. Directory.GetFiles(CompiledInfrastructure.InfraFolder, "*.bicepparam").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    /// <summary>The HTTP functions that check their callers themselves, and so need no sign-in: their routes are the excluded paths.</summary>
    private static readonly string[] RoutesWithoutSignIn = [SendGridWebhookEndpoint.Route, NotifyCallbackEndpoint.Route, NotifyReturnedLetterEndpoint.Route, Outcomes.OutcomeEndpoint.Route, HealthEndpoint.Route];

    /// <summary>Each parameter file compiled once for the tests below (the Bicep CLI takes seconds on a busy machine).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<(int ExitCode, string Stdout, string Stderr)>> Built = new(StringComparer.Ordinal);

    private (JsonObject Parameters, JsonObject Template) Build(string file)
    {
        var result = Built.GetOrAdd(file, f => new(() => infra.Run(Environment, "build-params", Path.Combine(infra.Folder, f), "--stdout"))).Value;
        Assert.True(result.ExitCode == 0, result.Stderr);
        var built = JsonNode.Parse(result.Stdout)!;
        return (JsonNode.Parse((string)built["parametersJson"]!)!.AsObject(), JsonNode.Parse((string)built["templateJson"]!)!.AsObject());
    }

    private static JsonObject Single(JsonObject template, string type, string nameContains) =>
        Assert.Single(CompiledInfrastructure.ResourcesOf(template), r => (string?)r["type"] == type && ((string?)r["name"])!.Contains(nameContains, StringComparison.Ordinal));

    private static JsonObject Module(JsonObject template, string name) =>
        Assert.Single(CompiledInfrastructure.ResourcesOf(template), r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == name);

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Every_environment_deploys_App_Service_authentication_with_its_client_id_and_lets_only_the_checked_paths_through(string file)
    {
        var (parameters, template) = Build(file);
        var auth = Single(template, "Microsoft.Web/sites/config", "'authsettingsV2'");
        var functionApp = Module(template, "functionApp")["properties"]!;
        var settings = auth["properties"]!;
        var validation = settings["globalValidation"]!;
        var aad = settings["identityProviders"]!["azureActiveDirectory"]!;

        Assert.Equal(ClientId, (string?)parameters["parameters"]!["signInClientId"]!["value"]);
        Assert.Null(auth["condition"]);
        Assert.True((bool)settings["platform"]!["enabled"]!);
        Assert.True((bool)validation["requireAuthentication"]!);
        Assert.Equal("RedirectToLoginPage", (string?)validation["unauthenticatedClientAction"]);
        Assert.Equal("azureactivedirectory", (string?)validation["redirectToProvider"]);
        Assert.True((bool)aad["enabled"]!);
        Assert.Equal("[parameters('signInClientId')]", (string?)aad["registration"]!["clientId"]);
        Assert.Equal("[parameters('signInClientId')]", (string?)functionApp["parameters"]!["signInClientId"]!["value"]);

        Assert.Equal("[parameters('pathsWithoutSignIn')]", (string?)validation["excludedPaths"]);
        Assert.Equal("[variables('pathsWithoutSignIn')]", (string?)functionApp["parameters"]!["pathsWithoutSignIn"]!["value"]);
        var excluded = template["variables"]!["pathsWithoutSignIn"]!.AsArray().Select(p => (string)p!).Order(StringComparer.Ordinal);
        Assert.Equal(RoutesWithoutSignIn.Select(r => $"/api/{r}").Order(StringComparer.Ordinal), excluded);
        Assert.DoesNotContain(excluded, p => p.Contains("tallies", StringComparison.Ordinal) || p.Contains("dashboard", StringComparison.Ordinal) || p.Contains("worklist", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Every_parameter_file_requires_the_sign_in_client_id(string file)
    {
        var result = infra.Run(new Dictionary<string, string?>(Environment) { ["SIGN_IN_CLIENT_ID"] = null }, "build-params", Path.Combine(infra.Folder, file), "--stdout");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SIGN_IN_CLIENT_ID", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_excluded_routes_are_the_HTTP_functions_that_check_their_callers_and_the_people_s_pages_are_not_among_them()
    {
        var triggers = typeof(GetHealth).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<Worker.FunctionAttribute>()?.Name, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<Worker.HttpTriggerAttribute>()).OfType<Worker.HttpTriggerAttribute>().SingleOrDefault()))
            .Where(f => f.Trigger is not null).ToDictionary(f => f.Function!, f => f.Trigger!);

        Assert.Equal(["GetDashboard", "GetHealth", "GetTallies", "ReceiveNotifyCallback", "ReceiveNotifyReturnedLetter", "ReceiveSendGridEvents", "ReportOutcomes", "ServeWorklist"], triggers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(RoutesWithoutSignIn.Order(StringComparer.Ordinal), triggers.Where(t => t.Key is "GetHealth" or "ReceiveNotifyCallback" or "ReceiveNotifyReturnedLetter" or "ReceiveSendGridEvents" or "ReportOutcomes").Select(t => t.Value.Route!).Order(StringComparer.Ordinal));
        Assert.All(triggers.Where(t => RoutesWithoutSignIn.Contains(t.Value.Route)), t => Assert.Equal(Worker.AuthorizationLevel.Function, t.Value.AuthLevel));
        Assert.Equal((Worker.AuthorizationLevel.Function, "health", "get"), (triggers["GetHealth"].AuthLevel, triggers["GetHealth"].Route, string.Join(',', triggers["GetHealth"].Methods!)));
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Every_environment_probes_the_health_endpoint_from_outside_and_alerts_when_it_fails(string file)
    {
        var (_, template) = Build(file);
        var test = Single(template, "Microsoft.Insights/webtests", "health");
        var alert = Single(template, "Microsoft.Insights/metricAlerts", "health");
        var key = Single(template, "Microsoft.Web/sites/host/functionKeys", "availability-test");
        var request = test["properties"]!["Request"]!;
        var criteria = alert["properties"]!["criteria"]!;
        var alerts = Module(template, "alerts")["properties"]!["parameters"]!;
        var functionApp = Module(template, "functionApp")["properties"]!;

        Assert.Equal("standard", (string?)test["kind"]);
        Assert.Equal("standard", (string?)test["properties"]!["Kind"]);
        Assert.True((bool)test["properties"]!["Enabled"]!);
        Assert.True(test["properties"]!["Locations"]!.AsArray().Count >= 3);
        Assert.Equal("GET", (string?)request["HttpVerb"]);
        Assert.Equal("[parameters('healthUrl')]", (string?)request["RequestUrl"]);
        Assert.Equal("[reference('functionApp').outputs.healthUrl.value]", (string?)alerts["healthUrl"]!["value"]);
        Assert.StartsWith($"[format('https://{{0}}/api/{HealthEndpoint.Route}', reference('app').defaultHostName)]", (string?)functionApp["template"]!["outputs"]!["healthUrl"]!["value"], StringComparison.Ordinal);
        var header = Assert.Single(request["Headers"]!.AsArray());
        Assert.Equal(("x-functions-key", "[parameters('healthProbeKey')]"), ((string?)header!["key"], (string?)header["value"]));
        Assert.Equal("[parameters('healthProbeKey')]", (string?)key["properties"]!["value"]);
        Assert.Equal(200, (int)test["properties"]!["ValidationRules"]!["ExpectedHttpStatusCode"]!);

        Assert.Equal("Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria", (string?)criteria["odata.type"]);
        Assert.Contains("'Microsoft.Insights/webtests'", (string?)criteria["webTestId"], StringComparison.Ordinal);
        Assert.True((bool)alert["properties"]!["enabled"]!);
        Assert.NotEmpty(alert["properties"]!["actions"]!.AsArray());
    }

    [Fact]
    public void The_app_never_sets_WEBSITE_AUTH_ENABLED_itself_and_reads_its_roles_and_health_limits_from_settings()
    {
        var module = infra.Module("functionApp")["properties"]!;
        var settings = module["parameters"]!["pipelineSettings"]!["value"]!.AsObject().Select(kv => kv.Key)
            .Concat(module["template"]!["variables"]!["identitySettings"]!.AsObject().Select(kv => kv.Key)).ToList();

        using var example = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "parity", "local.settings.example.json")));
        var local = example.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal([SignIn.SignInOptions.PlatformSetting], AppSettingsCatalog.PlatformSettings);
        Assert.DoesNotContain(settings, s => s.StartsWith("WEBSITE_AUTH", StringComparison.Ordinal) || AppSettingsCatalog.PlatformSettings.Contains(s));
        Assert.DoesNotContain(local, s => AppSettingsCatalog.PlatformSettings.Contains(s));
        Assert.Contains("SignIn__DashboardRole", local);
        Assert.Contains("SignIn__DashboardRole", settings);
        Assert.Contains("SignIn__VictimCareUnitRole", local);
        Assert.Contains("SignIn__VictimCareUnitRole", settings);
        Assert.Contains("Health__RecordsSystemSilenceWorkingHours", settings);
        Assert.Contains("Heartbeats", infra.Module("storage")["properties"]!["parameters"]!["tableNames"]!["value"]!.AsArray().Select(t => (string?)t));
    }
}
