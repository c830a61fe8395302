using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Referrals.Pipeline;
using Referrals.Pipeline.Configuration;
using Referrals.Pipeline.DeadLetters;
using Referrals.Pipeline.Forwarding;
using Referrals.Pipeline.Storage;
using Referrals.Pipeline.Tallies;

namespace Referrals.Cli;

/// <summary>
/// The storage a queue or dead-letter command works on: the same settings as the app
/// (ReferralsStorage, CRIME_EVENTS_QUEUE, EMAIL_QUEUE, TABLE_PREFIX), from the environment or options.
/// </summary>
internal sealed class StorageCommandOptions
{
    public Option<string?> Storage { get; } = new("--storage")
    {
        Description = "Storage connection string. Default: the ReferralsStorage environment variable. For identity-based access set "
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

        if (parse.GetValue(TablePrefix) is { } prefix)
        {
            overrides[Settings.TablePrefix] = prefix;
        }

        var merged = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(overrides).Build();
        if (string.IsNullOrEmpty(merged[Settings.StorageConnection]) && string.IsNullOrEmpty(merged[$"{Settings.StorageConnection}:queueServiceUri"]))
        {
            throw new InvalidOperationException("No storage connection: pass --storage or set the ReferralsStorage environment variable.");
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(merged);
        services.AddOptions<PipelineOptions>().Bind(merged).ValidateDataAnnotations();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<StorageClients>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<VictimStateStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton(_ => RulesData.Load(merged.GetSection(RulesOptions.Section).Get<RulesOptions>() ?? new RulesOptions()));
        services.AddSingleton<TallyStore>();
        services.AddSingleton<TallyAggregator>();
        services.AddLogging();
        return services.BuildServiceProvider();
    }

    public static PipelineOptions PipelineOptionsOf(IServiceProvider services) => services.GetRequiredService<IOptions<PipelineOptions>>().Value;
}
