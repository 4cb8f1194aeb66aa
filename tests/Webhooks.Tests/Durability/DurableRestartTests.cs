using Orleans.TestingHost;
using Webhooks.Endpoints;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;
using Webhooks.Rules;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: what operators configure survives stopping every silo.</summary>
public sealed class DurableRestartTests : IAsyncLifetime
{
    private readonly string _clusterId = $"restart-{Guid.NewGuid():N}"[..20];
    private PostgresServer.Database _database = null!;
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(_database.ConnectionString);
        _receiver = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task WholeClusterRestart_KeepsEndpointsWebhooksAndSubscriptions_AndDeliveryResumes()
    {
        string endpoint, enabled, disabled;
        var type = $"t{Guid.NewGuid():N}"[..10] + ".device";
        await using (var first = await StartClusterAsync())
        {
            var scenario = new Scenario(first.Client);
            endpoint = await scenario.EndpointAsync($"{_receiver.Url}/durable", d => d with { Secret = "kept", MaxInFlight = 3 });
            enabled = await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "on {{ data.n }}" });
            disabled = await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "off {{ data.n }}", Enabled = false });
            await scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));
            await _receiver.WaitForAsync("/durable", 1);
            await first.StopAllSilosAsync();
        }

        await using var second = await StartClusterAsync();
        var endpointInfo = await second.Client.GetGrain<IEndpointGrain>(endpoint).GetAsync();
        Assert.True(endpointInfo.SecretSet);
        Assert.Equal(3, endpointInfo.Definition.MaxInFlight);
        Assert.True((await second.Client.GetGrain<IWebhookGrain>(enabled).GetAsync()).Definition.Enabled);
        Assert.False((await second.Client.GetGrain<IWebhookGrain>(disabled).GetAsync()).Definition.Enabled);

        // Nothing has activated the webhook grains in this cluster: the persisted subscription brings the event.
        await new Scenario(second.Client).PublishAsync(Scenario.Event(type, "created", new { n = 2 }));

        var requests = await _receiver.WaitForAsync("/durable", 2);
        Assert.Equal(["on 1", "on 2"], requests.Select(r => r.BodyText));
    }

    private async Task<TestCluster> StartClusterAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ClusterId = _clusterId;
        builder.Options.ServiceId = _clusterId;
        builder.Properties["Storage:Provider"] = "postgres";
        builder.Properties["Secrets:Key"] = TestSecrets.Key;
        builder.Properties["ConnectionStrings:Postgres"] = _database.ConnectionString;
        builder.AddSiloBuilderConfigurator<DurableSiloConfigurator>();
        builder.AddClientBuilderConfigurator<DurableSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
