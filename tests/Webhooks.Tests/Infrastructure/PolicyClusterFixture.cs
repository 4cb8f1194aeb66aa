using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Hosting;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Two silos with the default delivery policy and one shared controllable delivery clock.</summary>
public sealed class PolicyClusterFixture : IAsyncLifetime
{
    public static FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton(new DeliveryClock(Clock));
            siloBuilder.AddWebhooks(siloBuilder.Configuration).AllowLoopbackDestinations();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PolicyClusterCollection : ICollectionFixture<PolicyClusterFixture>
{
    public const string Name = "policy cluster";
}
