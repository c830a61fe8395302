using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Referrals.Calendar;
using Referrals.Contact;
using Referrals.Emails;
using Referrals.Messages;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.Contact;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Health;
using Referrals.Pipeline.Indexes;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Messages;
using Referrals.Pipeline.Notify;
using Referrals.Pipeline.Outbound;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Receipts;
using Referrals.Pipeline.SendGrid;
using Referrals.Pipeline.SignIn;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Rules;

namespace Referrals.Pipeline;

/// <summary>The pipeline's services, registered the same way by the Functions app and the local host.</summary>
public static class PipelineServices
{
    public static IServiceCollection AddReferralsPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PipelineOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section).ValidateOnStart();
        services.AddOptions<SendGridOptions>().BindConfiguration(SendGridOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotifyOptions>().BindConfiguration(NotifyOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<ForceOptions>>((notify, force) => !force.Value.Bilingual || notify.ReadyForWelsh,
                "Force:Bilingual is set, so Notify:WelshSmsTemplateId and Notify:BilingualLetterTemplateId are required.")
            .ValidateOnStart();
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TalliesOptions>().BindConfiguration(TalliesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForceOptions>().BindConfiguration(ForceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReceiptOptions>().BindConfiguration(ReceiptOptions.Section).ValidateOnStart();
        services.AddOptions<Outcomes.OutcomeApiOptions>().BindConfiguration(Outcomes.OutcomeApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Outcomes.OutcomeEndpoint>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LogRedactionOptions>().BindConfiguration(LogRedactionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Not validated at start-up: sign-in and health settings close a door or turn the health endpoint red, and
        // never stop the queues and timers (docs/operations.md).
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section);
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section);
        services.AddOptions<Deadlines.DeadlineOptions>().BindConfiguration(Deadlines.DeadlineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LogIds>();
        services.AddSingleton(sp => Contact.MessageTokens.From(sp.GetRequiredService<IOptions<LogRedactionOptions>>()));
        services.AddSingleton(sp => Contact.RecipientKeys.From(sp.GetRequiredService<IOptions<LogRedactionOptions>>()));
        services.AddSingleton(sp => Outcomes.ReferralIdKeys.From(sp.GetRequiredService<IOptions<LogRedactionOptions>>()));
        services.AddSingleton<RecipientIndex>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StorageClients>();
        services.AddSingleton<PipelineMetrics>();

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ForceOptions>>().Value.ToIdentity());
        services.AddSingleton(sp => RulesData.Load(sp.GetRequiredService<IOptions<RulesOptions>>().Value, sp.GetRequiredService<ForceIdentity>()));
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Rules);
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Rules.Calendar);
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Composer);
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Directory);
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().TextMessages);
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Letters);
        services.TryAddSingleton<TokenCredential>(sp => sp.GetRequiredService<IOptions<ForwardingOptions>>().Value.ManagedIdentityClientId is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential());
        services.AddSingleton<ServiceCredentials>();

        services.AddSingleton<MonthIndex>();
        services.AddSingleton<IndexSweep>();
        services.AddSingleton<IndexOutbox>();
        services.AddSingleton<IndexMigration>();
        services.AddSingleton<VictimStateStore>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<IngestRefusals>();
        services.AddSingleton<IngestHandOff>();
        services.AddSingleton<SnapshotIngestor>();
        services.AddSingleton<WorkIntake>();
        services.AddSingleton<VictimChanges>();
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().NotifyMessages);
        services.AddSingleton<MessageDrafts>();
        services.AddSingleton<IMessageGateway>(sp => sp.GetRequiredService<SendGridGateway>());
        services.AddSingleton<IMessageGateway>(sp => sp.GetRequiredService<NotifyGateway>());
        services.AddSingleton<EntitlementMessageSender>();
        services.AddSingleton<ContactReceipts>();
        services.AddSingleton<NotifyStatusSweep>();
        services.AddSingleton<UnknownSettlement>();
        services.AddSingleton<AcceptedEmailSettlement>();
        services.AddSingleton<WebhookHealth>();
        services.AddSingleton<LetterRecheck>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<DeliveryResults>();
        services.AddSingleton<DeliveryClaims>();
        services.AddSingleton<ReferralDocuments>();
        services.AddSingleton<ReferralForwarder>();
        services.AddSingleton<TallyStore>();
        services.AddSingleton<TallyAggregator>();
        services.AddSingleton<TalliesEndpoint>();
        services.AddSingleton<Dashboard.DashboardEndpoint>();
        services.AddSingleton<SignInGate>();
        services.AddSingleton<HeartbeatStore>();
        services.AddSingleton<TimerHeartbeats>();
        services.AddSingleton<RecordsSystemPulse>();
        services.AddSingleton<HealthEndpoint>();
        services.AddSingleton<DeadLetterReporter>();
        services.AddSingleton<OutboundPause>();
        services.AddSingleton<WorkOutcomes>();
        services.AddSingleton<ReferralChannels>();
        services.AddSingleton<RetentionPurge>();
        services.AddSingleton<VictimHistory>();
        services.AddSingleton<VictimDeadLetters>();
        services.AddSingleton<SubjectAccess>();
        services.AddSingleton<Erasure>();
        services.AddSingleton<Tasks.TaskIndex>();
        services.AddSingleton<Tasks.TaskDesk>();
        services.AddSingleton<Outcomes.ReferralIdStore>();
        services.AddSingleton<Outcomes.OutcomeDesk>();
        services.AddSingleton<Tasks.TaskEscalation>();
        services.AddSingleton<Deadlines.DeadlineWatch>();
        services.AddSingleton<Status.OperationsStatus>();
        services.AddSingleton<Tasks.TaskRetention>();
        services.AddSingleton<Worklist.AntiForgery>();
        services.AddSingleton<Worklist.WorklistTasks>();
        services.AddSingleton<Worklist.WorklistEndpoint>();

        services.AddSingleton<IReceiptSink, ContactReceiptSink>();
        services.AddSingleton<SendGridWebhookEndpoint>();
        services.AddSingleton<NotifyCallbackEndpoint>();
        services.AddSingleton<NotifyReturnedLetterEndpoint>();
        services.AddOutboundHttpClients();

        services.AddHostedService<StartupChecks>();
        services.AddHostedService<StorageInitializer>();
        return services;
    }

    /// <summary>The gateways' HTTP clients: one call's timeout from their options, and never a redirect followed.</summary>
    public static IServiceCollection AddOutboundHttpClients(this IServiceCollection services)
    {
        // The gateway lives as long as the singleton sender holding it, so its connections are recycled by the
        // handler (PooledConnectionLifetime) rather than by the factory rotating handlers.
        services.AddHttpClient<SendGridGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(OutboundHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddHttpClient<SendGridActivityLookup>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<SendGridOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(OutboundHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddHttpClient<NotifyStatusLookup>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<NotifyOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(OutboundHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddHttpClient<NotifyGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<NotifyOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(OutboundHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddHttpClient<ServiceGateway>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<ForwardingOptions>>().Value.Timeout)
            .ConfigurePrimaryHttpMessageHandler(OutboundHandler)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }

    /// <summary>
    /// Never follows a redirect: following one would send the API key and the victim's details to whatever host a
    /// 3xx names. The gateways treat a 3xx as a permanent failure instead.
    /// </summary>
    public static SocketsHttpHandler OutboundHandler() =>
        new() { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
}

/// <summary>The rules and the message composers, loaded once at start-up from the configured (or shipped) files.</summary>
public sealed record RulesData(ReferralRules Rules, EntitlementEmailComposer Composer, ServiceDirectory Directory)
{
    /// <summary>The rulebook revision and a hash of the rules data files, as the audit records it (<see cref="Referrals.Privacy.RulesVersion"/>).</summary>
    public string Version { get; init; } = Referrals.Privacy.RulesVersion.Rulebook;

    /// <summary>The entitlement text message (GOV.UK Notify template personalisation and body).</summary>
    public required TextMessageComposer TextMessages { get; init; }

    /// <summary>The entitlement letter (GOV.UK Notify letter personalisation).</summary>
    public required LetterComposer Letters { get; init; }

    /// <summary>Both, as the Notify step sends them (the template to use and its personalisation).</summary>
    public NotifyMessageComposer NotifyMessages => new(TextMessages, Letters);

    public static RulesData Load(RulesOptions options, ForceIdentity force)
    {
        var codesPath = string.IsNullOrWhiteSpace(options.OffenceCodesPath) ? Path.Combine(AppContext.BaseDirectory, OffenceCodeList.DefaultFileName) : Resolve(options.OffenceCodesPath);
        var servicesPath = string.IsNullOrWhiteSpace(options.ServicesPath) ? Path.Combine(AppContext.BaseDirectory, ServiceDirectory.DefaultFileName) : Resolve(options.ServicesPath);
        var codes = OffenceCodeList.Load(codesPath);
        var directory = ServiceDirectory.Load(servicesPath);
        var templates = string.IsNullOrWhiteSpace(options.TemplatesPath) ? EmailTemplates.LoadDefault() : EmailTemplates.Load(Resolve(options.TemplatesPath));
        var rules = new ReferralRules(new OffenceClassifier(codes), directory, new WorkingDayCalendar(options.ParseExtraBankHolidays()));
        var messages = string.IsNullOrWhiteSpace(options.MessageTemplatesPath) ? MessageTemplates.LoadDefault() : MessageTemplates.Load(Resolve(options.MessageTemplatesPath));
        return new RulesData(rules, new EntitlementEmailComposer(templates, directory, force), directory)
        {
            TextMessages = new TextMessageComposer(messages, directory, force),
            Letters = new LetterComposer(messages, directory, force),
            Version = Referrals.Privacy.RulesVersion.Of(File.ReadAllBytes(codesPath), File.ReadAllBytes(servicesPath)),
        };
    }

    private static string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}

/// <summary>
/// Creates the pipeline's tables and queues if they are missing (Azurite starts empty), after
/// <see cref="StartupChecks"/> has loaded the rules data and the services' credentials. In Azure, Bicep creates
/// them; if the identity may not create (403), that is logged and start-up goes on.
/// </summary>
public sealed partial class StorageInitializer(
    IServiceProvider services, VictimStateStore states, DeadLetterStore deadLetters, WorkQueues queues, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await states.CreateIfNotExistsAsync(cancellationToken);
            await deadLetters.CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<TallyStore>().CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<MonthIndex>().CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<HeartbeatStore>().CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<Tasks.TaskIndex>().CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<Outcomes.ReferralIdStore>().CreateIfNotExistsAsync(cancellationToken);
            await services.GetRequiredService<RecipientIndex>().CreateIfNotExistsAsync(cancellationToken);
            await queues.CreateIfNotExistsAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            LogNotAllowed(logger, ex.ErrorCode);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not allowed to create the pipeline's tables and queues ({ErrorCode}); assuming the deployment created them")]
    private static partial void LogNotAllowed(ILogger logger, string? errorCode);
}
