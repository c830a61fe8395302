using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Referrals.Pipeline.Tests;

/// <summary>infra-bicep compiled by the Bicep CLI (from NuGet), once for all the tests below.</summary>
public sealed class CompiledInfrastructure
{
    public CompiledInfrastructure()
    {
        Bicep = Metadata("BicepCli");
        Folder = InfraFolder;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Bicep, File.GetUnixFileMode(Bicep) | UnixFileMode.UserExecute);
        }
        Build = Run("build", Path.Combine(Folder, "main.bicep"), "--stdout");
        Lint = Run("lint", Path.Combine(Folder, "main.bicep"));
        Json = Build.ExitCode == 0 ? Build.Stdout : "{}";
        Template = JsonNode.Parse(Json)!.AsObject();
    }

    /// <summary>infra-bicep, without compiling anything.</summary>
    public static string InfraFolder => Path.GetFullPath(Metadata("InfraFolder"));

    public string Bicep { get; }

    public string Folder { get; }

    public (int ExitCode, string Stdout, string Stderr) Build { get; }

    public (int ExitCode, string Stdout, string Stderr) Lint { get; }

    public string Json { get; }

    public JsonObject Template { get; }

    /// <summary>Every resource of the template, nested deployments (modules) included.</summary>
    public IEnumerable<JsonObject> Resources() => ResourcesOf(Template);

    /// <summary>Every resource of a template compiled elsewhere (by build-params, say), nested deployments included.</summary>
    public static IEnumerable<JsonObject> ResourcesOf(JsonObject template, bool nested = true) => nested ? AllResourcesOf(template) : TopResourcesOf(template);

    public JsonObject Module(string name) =>
        Resources().Single(r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == name);

    public (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

    /// <param name="environment">Variables for this run only (a null value removes one), as a .bicepparam file reads them.</param>
    public (int ExitCode, string Stdout, string Stderr) Run(IDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Bicep) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Metadata(string key) =>
        typeof(CompiledInfrastructure).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static IEnumerable<JsonObject> TopResourcesOf(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject map => map.Select(kv => kv.Value).OfType<JsonObject>(),
        _ => [],
    };

    private static IEnumerable<JsonObject> AllResourcesOf(JsonObject template)
    {
        foreach (var resource in TopResourcesOf(template))
        {
            yield return resource;
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in AllResourcesOf(nested))
                {
                    yield return inner;
                }
            }
        }
    }
}

/// <summary>The infrastructure holds no secret or shared key, and grants each identity only what it needs.</summary>
public sealed class InfrastructureTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    private const string QueueMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";

    /// <summary>Table, Monitoring Metrics Publisher, Key Vault Secrets User, Queue, Blob Data Owner.</summary>
    private static readonly string[] AppRoles =
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "3913510d-42f4-4e42-8a64-420c390055eb", "4633458b-17de-408a-b874-0445c86b69e6", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"];

    private static readonly string[] ReferralsStorageParts = ["queueServiceUri", "tableServiceUri", "credential", "clientId"];
    private static readonly string[] HostStorageParts = ["blobServiceUri", "queueServiceUri", "tableServiceUri", "credential", "clientId"];

    [Fact]
    public void Main_bicep_builds_and_lints_without_errors()
    {
        Assert.True(infra.Build.ExitCode == 0, infra.Build.Stderr);
        Assert.True(infra.Lint.ExitCode == 0, infra.Lint.Stdout + infra.Lint.Stderr);
        Assert.DoesNotContain(": Error ", infra.Lint.Stdout + infra.Lint.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main.dev.bicepparam")]
    [InlineData("main.prod.bicepparam")]
    public void Each_environments_parameters_build(string file)
    {
        Environment.SetEnvironmentVariable("RECORDS_SYSTEM_PRINCIPAL_ID", "11111111-1111-1111-1111-111111111111");
        Environment.SetEnvironmentVariable("ALERT_EMAIL", "alerts@police.example");
        Environment.SetEnvironmentVariable("SENDGRID_FROM_ADDRESS", "vcu@police.example");
        Environment.SetEnvironmentVariable("NOTIFY_SMS_TEMPLATE_ID", "33333333-3333-3333-3333-333333333333");
        Environment.SetEnvironmentVariable("NOTIFY_LETTER_TEMPLATE_ID", "44444444-4444-4444-4444-444444444444");
        Environment.SetEnvironmentVariable("SIGN_IN_CLIENT_ID", "22222222-2222-2222-2222-222222222222");
        Environment.SetEnvironmentVariable("FORCE_DISPLAY_NAME", "Example Constabulary");
        Environment.SetEnvironmentVariable("FORCE_SHORT_NAME", "ExamplePol");
        Environment.SetEnvironmentVariable("VICTIM_CARE_UNIT_PHONE", "01632 960 101");
        Environment.SetEnvironmentVariable("VICTIM_CARE_UNIT_EMAIL", "victim.care@police.example");
        Environment.SetEnvironmentVariable("FORCE_WEBSITE", "https://www.police.example/");
        Environment.SetEnvironmentVariable("FORCE_PRIVACY_NOTICE", "https://www.police.example/privacy");
        var result = infra.Run("build-params", Path.Combine(infra.Folder, file), "--stdout");
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    [Theory]
    [InlineData("AccountKey")]
    [InlineData("listKeys")]
    [InlineData("DefaultEndpointsProtocol")]
    [InlineData("SharedAccessSignature")]
    [InlineData("SharedAccessKey")]
    [InlineData("AzureWebJobsStorage\"")]
    [InlineData("\"ReferralsStorage\"")]
    public void No_connection_string_or_account_key_appears_anywhere(string forbidden)
    {
        Assert.Equal(0, infra.Build.ExitCode);
        Assert.Contains("\"Microsoft.Web/sites\"", infra.Json, StringComparison.Ordinal);
        Assert.DoesNotContain(forbidden, infra.Json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_storage_account_refuses_shared_keys_public_blobs_plain_http_and_old_TLS()
    {
        var account = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Storage/storageAccounts");
        var properties = account["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
    }

    /// <summary>The built-in role id an assignment grants, resolving the roles module's variables('roles').name.</summary>
    private string RoleId(JsonObject assignment)
    {
        var definition = (string)assignment["properties"]!["roleDefinitionId"]!;
        var roles = infra.Module("roles")["properties"]!["template"]!["variables"]!["roles"]!.AsObject();
        var match = System.Text.RegularExpressions.Regex.Match(definition, @"variables\('roles'\)\.(\w+)");
        return match.Success ? (string)roles[match.Groups[1].Value]! : definition;
    }

    [Fact]
    public void The_records_system_may_only_send_messages_to_the_crime_events_queue()
    {
        var assignments = infra.Resources().Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments").ToList();
        var recordsSystem = assignments.Where(r => ((string?)r["properties"]?["principalId"])?.Contains("recordsSystemPrincipalId", StringComparison.Ordinal) == true).ToList();

        var only = Assert.Single(recordsSystem);
        Assert.Equal(QueueMessageSender, RoleId(only));
        var scope = (string?)only["scope"] ?? string.Empty;
        Assert.Contains("Microsoft.Storage/storageAccounts/queueServices/queues", scope, StringComparison.Ordinal);
        Assert.Contains("crimeEventsQueueName", scope, StringComparison.Ordinal);
        Assert.Equal("[variables('queues').crimeEvents]", (string?)infra.Module("roles")["properties"]!["parameters"]!["crimeEventsQueueName"]!["value"]);
        Assert.Equal("crime-events", (string?)infra.Template["variables"]!["queues"]!["crimeEvents"]);
    }

    [Fact]
    public void The_app_identity_gets_exactly_its_five_roles()
    {
        var roles = infra.Resources()
            .Where(r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments")
            .Where(r => ((string?)r["properties"]?["principalId"])?.Contains("appPrincipalId", StringComparison.Ordinal) == true)
            .Select(RoleId)
            .Order();
        Assert.Equal(AppRoles, roles);
    }

    [Fact]
    public void Key_Vault_uses_RBAC_soft_delete_and_purge_protection()
    {
        var vault = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True((bool)vault["enableRbacAuthorization"]!);
        Assert.True((bool)vault["enableSoftDelete"]!);
        Assert.True((bool)vault["enablePurgeProtection"]!);
    }

    [Fact]
    public void Application_Insights_accepts_only_Entra_authenticated_telemetry() =>
        Assert.True((bool)Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Insights/components")["properties"]!["DisableLocalAuth"]!);

    [Fact]
    public void The_function_app_runs_dotnet_isolated_10_on_Flex_Consumption_as_its_user_assigned_identity()
    {
        var app = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Web/sites");
        Assert.Equal("UserAssigned", (string?)app["identity"]!["type"]);
        Assert.Equal("dotnet-isolated", (string?)app["properties"]!["functionAppConfig"]!["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)app["properties"]!["functionAppConfig"]!["runtime"]!["version"]);
        Assert.NotNull(app["properties"]!["keyVaultReferenceIdentity"]);
        var plan = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
    }

    [Fact]
    public void Bicep_sets_every_setting_the_app_reads_and_nothing_it_does_not_but_the_retention_periods_written_once_in_code()
    {
        var module = infra.Module("functionApp");
        var pipeline = module["properties"]!["parameters"]!["pipelineSettings"]!["value"]!.AsObject().Select(kv => kv.Key);
        var identity = module["properties"]!["template"]!["variables"]!["identitySettings"]!.AsObject().Select(kv => kv.Key);
        var inBicep = pipeline.Concat(identity).ToHashSet(StringComparer.Ordinal);

        // A connection is set identity-based, as NAME__queueServiceUri and the like.
        string Setting(string name) => name.Split("__")[0] is var connection && connection is "AzureWebJobsStorage" or "ReferralsStorage" ? connection : name;
        var read = AppSettingsCatalog.SettingsToSet();
        var setInBicep = inBicep.Select(Setting).ToHashSet(StringComparer.Ordinal);

        Assert.Equal([], read.Except(setInBicep));
        Assert.Equal([], setInBicep.Except(read));
        Assert.All(ReferralsStorageParts, part => Assert.Contains($"ReferralsStorage__{part}", inBicep));
        Assert.All(HostStorageParts, part => Assert.Contains($"AzureWebJobsStorage__{part}", inBicep));
    }

    [Fact]
    public void The_SendGrid_key_is_a_Key_Vault_reference()
    {
        var identity = infra.Module("functionApp")["properties"]!["template"]!["variables"]!["identitySettings"]!;
        Assert.StartsWith("[format('@Microsoft.KeyVault(VaultName={0};SecretName=sendgrid-api-key)'", (string?)identity["SendGrid__ApiKey"], StringComparison.Ordinal);
    }
}
