using Orleans.TestingHost;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A two-silo test cluster running the webhook grains, shared by a test collection.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public const int PoisonAttempts = 3;
    public const int DeadLetterCapacity = 3;

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>Configuration overrides for the silos (e.g. "Delivery:QueueCapacity").</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        // Retries fast enough for tests that exercise them.
        ["Delivery:RetryDelays:0"] = "00:00:00.100",
        ["Delivery:RetryDelays:1"] = "00:00:00.200",
        ["Delivery:ThrottleMinimumDelay"] = "00:00:00",
        ["Delivery:CertificateDirectory"] = TestCertificates.Directory,
        // Poison events set aside after a few quick failures.
        ["PoisonEvents:Attempts"] = PoisonAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PoisonEvents:After"] = "00:00:00.500",
        ["PoisonEvents:Capacity"] = DeadLetterCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        foreach (var (key, value) in Settings)
        {
            builder.Properties[key] = value;
        }

        builder.AddSiloBuilderConfigurator<WebhooksSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
