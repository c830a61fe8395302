using System.Reflection;
using System.Text.Json.Nodes;
using Referrals.Functions;
using Referrals.Pipeline.Receipts;
using Worker = Microsoft.Azure.Functions.Worker;

namespace Referrals.Pipeline.Tests;

/// <summary>The two webhook functions in Azure: behind a function key, let through App Service authentication to their own checks (SignInAndHealthInfrastructureTests), secrets in Key Vault.</summary>
public sealed class WebhookInfrastructureTests(CompiledInfrastructure infra) : IClassFixture<CompiledInfrastructure>
{
    public static TheoryData<Type, string> Webhooks => new()
    {
        { typeof(ReceiveSendGridEvents), SendGridWebhookEndpoint.Route },
        { typeof(ReceiveNotifyCallback), NotifyCallbackEndpoint.Route },
        { typeof(ReceiveNotifyReturnedLetter), NotifyReturnedLetterEndpoint.Route },
    };

    [Theory]
    [MemberData(nameof(Webhooks))]
    public void Each_webhook_is_a_POST_behind_a_function_key_at_its_route(Type function, string route)
    {
        var trigger = function.GetMethod("Run")!.GetParameters()
            .Select(p => p.GetCustomAttribute<Worker.HttpTriggerAttribute>()).OfType<Worker.HttpTriggerAttribute>().Single();

        Assert.Equal(Worker.AuthorizationLevel.Function, trigger.AuthLevel);
        Assert.Equal(["post"], trigger.Methods ?? []);
        Assert.Equal(route, trigger.Route);
    }

    [Theory]
    [InlineData("Notify__ApiKey", "notify-api-key")]
    [InlineData("Receipts__NotifyCallbackBearerToken", "notify-callback-token")]
    [InlineData("Receipts__NotifyReturnedLetterBearerToken", "notify-returned-letter-token")]
    [InlineData("Receipts__SendGridWebhookPublicKey", "sendgrid-webhook-public-key")]
    public void The_Notify_key_the_callback_token_and_the_webhook_key_are_Key_Vault_references(string setting, string secret)
    {
        var identity = infra.Module("functionApp")["properties"]!["template"]!["variables"]!["identitySettings"]!;

        Assert.StartsWith($"[format('@Microsoft.KeyVault(VaultName={{0}};SecretName={secret})'", (string?)identity[setting], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("general")]
    [InlineData("idva")]
    public void Each_API_service_s_two_outcome_secrets_are_Key_Vault_references_and_the_outcome_API_is_behind_a_function_key(string service)
    {
        var identity = infra.Module("functionApp")["properties"]!["template"]!["variables"]!["identitySettings"]!;
        var trigger = typeof(ReportOutcomes).GetMethod("Run")!.GetParameters()
            .Select(p => p.GetCustomAttribute<Worker.HttpTriggerAttribute>()).OfType<Worker.HttpTriggerAttribute>().Single();

        Assert.StartsWith($"[format('@Microsoft.KeyVault(VaultName={{0}};SecretName=outcome-secret-{service})'", (string?)identity[$"Outcomes__Services__{service}__Secret"], StringComparison.Ordinal);
        Assert.StartsWith($"[format('@Microsoft.KeyVault(VaultName={{0}};SecretName=outcome-secret-{service}-next)'", (string?)identity[$"Outcomes__Services__{service}__NextSecret"], StringComparison.Ordinal);
        Assert.Equal((Worker.AuthorizationLevel.Function, "outcomes", "get,post"), (trigger.AuthLevel, trigger.Route, string.Join(',', trigger.Methods!)));
    }

    [Fact]
    public void The_bounce_rate_alert_watches_the_average_of_the_bounce_instrument_above_5_percent()
    {
        var alert = Assert.Single(infra.Resources(), r => (string?)r["type"] == "Microsoft.Insights/metricAlerts" && ((string?)r["name"])!.Contains("bounce-rate", StringComparison.Ordinal));
        var criterion = alert["properties"]!["criteria"]!["allOf"]!.AsArray().OfType<JsonObject>().Single();

        Assert.Equal(PipelineMetrics.EmailBounces, (string?)criterion["metricName"]);
        Assert.Equal("Average", (string?)criterion["timeAggregation"]);
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
        Assert.Equal("[json('0.05')]", (string?)criterion["threshold"]);
    }
}
