using System.CommandLine;
using Azure;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Pipeline;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Ingest;
using Referrals.Pipeline.Logging;
using Referrals.Pipeline.Privacy;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;
using Referrals.Pipeline.Tasks;

namespace Referrals.Cli;

/// <summary>
/// The storage a queue or dead-letter command works on: the same settings as the app
/// (ReferralsStorage, CRIME_EVENTS_QUEUE, MESSAGE_QUEUE, EMAIL_QUEUE, TABLE_PREFIX), from the environment or options,
/// and the one-line answer an operator gets when that storage cannot be used.
/// </summary>
internal sealed class StorageCommandOptions
{
    /// <summary>Azurite on its standard ports, as `referrals azurite` starts it.</summary>
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = "Storage connection string. Default: the ReferralsStorage environment variable, else UseDevelopmentStorage=true "
            + "(Azurite on its standard ports: `referrals azurite`). For identity-based access set "
            + "ReferralsStorage__queueServiceUri and ReferralsStorage__tableServiceUri instead (your az login is used).",
    };

    public Option<string?> TablePrefix { get; } = new("--table-prefix")
    {
        Description = "Table name prefix (TABLE_PREFIX). Default: the TABLE_PREFIX environment variable, or none.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Storage);
        command.Options.Add(TablePrefix);
    }

    public ServiceProvider Build(ParseResult parse)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Storage) is { Length: > 0 } storage)
        {
            overrides[Settings.StorageConnection] = storage;
        }
        else if (string.IsNullOrEmpty(configuration[Settings.StorageConnection]) && string.IsNullOrEmpty(configuration[$"{Settings.StorageConnection}:queueServiceUri"]))
        {
            overrides[Settings.StorageConnection] = DevelopmentStorage;
        }

        if (parse.GetValue(TablePrefix) is { } prefix)
        {
            overrides[Settings.TablePrefix] = prefix;
        }

        var merged = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(overrides).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(merged);
        services.AddOptions<PipelineOptions>().Bind(merged).ValidateDataAnnotations();
        services.AddOptions<TalliesOptions>().Bind(merged.GetSection(TalliesOptions.Section)).ValidateDataAnnotations();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(StorageProbe.CliRetry);
        services.AddSingleton<StorageRequestCount>();
        services.AddSingleton<Azure.Core.Pipeline.HttpPipelinePolicy>(sp => sp.GetRequiredService<StorageRequestCount>());
        services.AddSingleton<StorageClients>();
        services.AddSingleton<Pipeline.Indexes.MonthIndex>();
        services.AddSingleton<Pipeline.Indexes.IndexSweep>();
        services.AddSingleton<Pipeline.Indexes.IndexOutbox>();
        services.AddSingleton<Pipeline.Indexes.IndexMigration>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<VictimStateStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<DeadLetterReplay>();
        services.AddSingleton(_ => RulesData.Load(merged.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions(), RulesFileOptions.Force(merged)));
        services.AddSingleton<TallyStore>();
        services.AddSingleton<TallyAggregator>();
        services.AddOptions<RetentionOptions>().Bind(merged.GetSection(RetentionOptions.Section)).ValidateDataAnnotations();
        services.AddSingleton<Pipeline.Receipts.RecipientIndex>(); // erase and purge remove its rows (docs/privacy.md)
        services.AddSingleton<RetentionPurge>();
        services.AddSingleton<VictimHistory>();
        services.AddSingleton<VictimDeadLetters>();
        services.AddSingleton<SubjectAccess>();
        services.AddSingleton<Erasure>();
        services.AddSingleton<TalliesEndpoint>();
        services.AddSingleton<Pipeline.Dashboard.DashboardEndpoint>();

        // The Victim Care Unit's desk: an action hands on what it asks for (referrals, notices) like the pipeline does.
        // The CLI writes no log line with ids, so its log-id key is a throw-away one unless one is set.
        services.AddOptions<LogRedactionOptions>().Bind(merged.GetSection(LogRedactionOptions.Section))
            .PostConfigure(o => o.HashKey = o.HashKey is { Length: >= 32 } key ? key : Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        services.AddSingleton<LogIds>();
        services.AddSingleton<PipelineMetrics>();
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<IngestHandOff>();
        services.AddSingleton(sp => Pipeline.Outcomes.ReferralIdKeys.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LogRedactionOptions>>()));
        services.AddSingleton<TaskIndex>();
        services.AddSingleton<TaskDesk>();
        services.AddSingleton<TaskRetention>();

        // `recheck-letters`: GOV.UK Notify's status look-up with the app's Notify settings, applied as the status timer does.
        services.AddOptions<NotifyOptions>().Bind(merged.GetSection(NotifyOptions.Section)).ValidateDataAnnotations();
        services.AddSingleton(sp => sp.GetRequiredService<RulesData>().Rules.Calendar);
        // The timeout from the settings as bound, not validated: a command that never asks Notify (`replay` of anything but an
        // unknown) must not need the Notify settings; the look-up itself validates them (IOptions<NotifyOptions>.Value).
        var notifyTimeout = merged.GetSection(NotifyOptions.Section).Get<NotifyOptions>()?.Timeout ?? new NotifyOptions().Timeout;
        services.AddHttpClient<Pipeline.Receipts.NotifyStatusLookup>(http => http.Timeout = notifyTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        if (merged[$"{LogRedactionOptions.Section}:HashKey"] is { Length: >= 32 })
        {
            // The sends' tokens are read and named only with the app's own key; without it, only references of before issue 22.
            services.AddSingleton(sp => Pipeline.Contact.MessageTokens.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<LogRedactionOptions>>()));
        }

        services.AddSingleton<Pipeline.Contact.VictimChanges>();
        services.AddSingleton<Pipeline.Contact.ContactReceipts>();
        services.AddSingleton<Pipeline.Notify.LetterRecheck>();

        // `status` (issue 29): the health endpoint's judgement away from the app, the deadline survey, the pause the app last reported.
        services.AddOptions<Pipeline.Health.HealthOptions>().Bind(merged.GetSection(Pipeline.Health.HealthOptions.Section));
        services.AddOptions<Pipeline.Deadlines.DeadlineOptions>().Bind(merged.GetSection(Pipeline.Deadlines.DeadlineOptions.Section)).ValidateDataAnnotations();
        services.AddOptions<OutboundOptions>().Bind(merged.GetSection(OutboundOptions.Section));
        services.AddSingleton<Pipeline.Health.HeartbeatStore>();
        services.AddSingleton<Pipeline.Deadlines.DeadlineWatch>();
        services.AddSingleton<Pipeline.Status.OperationsStatus>();
        // `replay` of an unknown's dead letter: the status timer's settlement (rulebook 1.2 section 6), with the app's settings.
        services.AddOptions<SendGridOptions>().Bind(merged.GetSection(SendGridOptions.Section));
        services.AddSingleton<Pipeline.Receipts.WebhookHealth>();
        var sendGridTimeout = merged.GetSection(SendGridOptions.Section).Get<SendGridOptions>()?.Timeout ?? new SendGridOptions().Timeout;
        services.AddHttpClient<Pipeline.Receipts.SendGridActivityLookup>(http => http.Timeout = sendGridTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        // When it is due, and how long Notify keeps a message, are read from the settings as bound: an operator's shell without
        // the Notify key still learns when the status timer will settle it; the look-up itself requires the key.
        var notifyTimings = Microsoft.Extensions.Options.Options.Create(merged.GetSection(NotifyOptions.Section).Get<NotifyOptions>() ?? new NotifyOptions());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Pipeline.Contact.UnknownSettlement>(sp, notifyTimings));

        services.AddSingleton<Pipeline.Outcomes.ReferralIdStore>();
        services.AddSingleton<Pipeline.Outcomes.OutcomeDesk>();
        services.AddLogging();
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Runs a storage command and turns what storage can do to it into one line on standard error and an exit code:
    /// 2 for settings that cannot work (a malformed connection string), 1 for storage missing, unreachable or refusing
    /// (found out within <see cref="StorageProbe.Deadline"/> by <see cref="StorageProbe"/> before the command starts),
    /// 0 with <paramref name="nothingYet"/> on standard output when the table the command reads does not exist yet.
    /// </summary>
    /// <param name="nothingYetExitCode">The exit code when nothing has been stored on this storage yet (0 unless the command gives one of its own).</param>
    public async Task<int> RunAsync(ParseResult parse, string nothingYet, Func<ServiceProvider, Task<int>> action, CancellationToken cancellationToken, int nothingYetExitCode = 0)
    {
        var name = $"referrals {(parse.CommandResult.Parent is System.CommandLine.Parsing.CommandResult { Command: not RootCommand } parent ? $"{parent.Command.Name} " : string.Empty)}{parse.CommandResult.Command.Name}";
        var error = parse.InvocationConfiguration.Error;
        ServiceProvider services;
        StorageClients clients;
        try
        {
            services = Build(parse);
            clients = services.GetRequiredService<StorageClients>();
            _ = PipelineOptionsOf(services);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException or OptionsValidationException)
        {
            // The connection string holds an account key: the reason never quotes it.
            await error.WriteLineAsync($"{name}: the storage settings cannot be used ({StorageProbe.FirstLine(ex.Message)}); pass --storage with a connection string, or set ReferralsStorage.");
            return 2;
        }

        using (services)
        {
            try
            {
                if (await StorageProbe.ProblemAsync(clients, PipelineOptionsOf(services).CrimeEventsQueue, cancellationToken) is { } problem)
                {
                    await error.WriteLineAsync($"{name}: {problem}");
                    return 1;
                }

                return await action(services);
            }
            catch (Exception ex) when (ex is HandOnFailedException or Pipeline.Outbound.RetryLaterException)
            {
                await error.WriteLineAsync($"{name}: {ex.Message.TrimEnd('.')}.");
                return 1;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode is "TableNotFound" || (ex.Status == 404 && ex.ErrorCode is "ResourceNotFound" or "QueueNotFound"))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(nothingYet);
                return nothingYetExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"{name}: stopped.");
                return 130;
            }
            catch (Exception ex) when (StorageProbe.Reason(ex) is { } reason)
            {
                await error.WriteLineAsync($"{name}: {StorageProbe.Unreachable(clients.Queues.Uri.GetLeftPart(UriPartial.Authority), reason)}");
                return 1;
            }
            catch (RequestFailedException ex)
            {
                await error.WriteLineAsync($"{name}: storage at {clients.Queues.Uri.GetLeftPart(UriPartial.Authority)} refused the request: {ex.Status} {ex.ErrorCode ?? StorageProbe.FirstLine(ex.Message)}.");
                return 1;
            }
            catch (AuthenticationFailedException ex)
            {
                await error.WriteLineAsync($"{name}: no Azure sign-in for identity-based storage ({StorageProbe.FirstLine(ex.Message)}); run `az login`, or pass --storage.");
                return 1;
            }
        }
    }

    public static PipelineOptions PipelineOptionsOf(IServiceProvider services) => services.GetRequiredService<IOptions<PipelineOptions>>().Value;
}
