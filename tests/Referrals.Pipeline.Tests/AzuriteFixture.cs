using Referrals.LocalHost;

namespace Referrals.Pipeline.Tests;

/// <summary>One Azurite for the test run: real queues and tables, started on free loopback ports, stopped at the end.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>Whether its table service seeks partitions as Azure does (<see cref="Azurite.PartitionSeek"/>).</summary>
    public bool PartitionSeek => _azurite?.PartitionSeek ?? false;

    public async Task InitializeAsync() =>
        _azurite = await Azurite.StartAsync(_ => { }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteGroup : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
