using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>A scheduled retry is stored, not only a timer: when the silo holding the endpoint is killed while the
/// retry waits, the endpoint comes back elsewhere (its recovery reminder) and makes the retry when it is due.</summary>
public sealed class RetryAcrossSiloKillTests : DurableTest
{
    private const int EndpointCount = 6;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(10);
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task ScheduledRetries_OfEndpointsOnAKilledSilo_AreMadeWhenDue_OnTheSurvivors()
    {
        var healthy = false;
        Receiver.Respond = _ => Volatile.Read(ref healthy) ? 204 : 500;
        var settings = new Dictionary<string, string>
        {
            ["Delivery:RetryDelays:0"] = "00:10:00",
            ["Delivery:RetryJitter"] = "0",
            ["Delivery:RecoveryInterval"] = "00:00:02",
        };
        await using var cluster = await Durable.StartAsync(3, settings, b => b.AddSiloBuilderConfigurator<FakeDeliveryClock>());
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        var endpoints = new List<string>();
        for (var i = 0; i < EndpointCount; i++)
        {
            endpoints.Add(await scenario.EndpointAsync($"{Receiver.Url}/ep{i}"));
        }

        await scenario.WebhookAsync([type], [.. endpoints], d => d with { BodyTemplate = "{{ data.n }}" });
        await scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));

        // Every endpoint's first attempt fails and its retry is stored, due in 10 minutes of the delivery clock.
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 1 AND next_attempt_at IS NOT NULL AND attempt_count = 1") == EndpointCount,
            "every delivery waits for its retry");
        var victim = cluster.Silos.OrderByDescending(s => Hosted(cluster, s, endpoints).Count).First();
        var orphaned = Hosted(cluster, victim, endpoints);
        Assert.NotEmpty(orphaned);

        await cluster.KillSiloAsync(victim);
        Volatile.Write(ref healthy, true);
        // Not yet due: nothing is sent, on any silo.
        Clock.Advance(RetryDelay - TimeSpan.FromSeconds(1));
        Assert.Equal(EndpointCount, Receiver.Requests.Count);
        Clock.Advance(TimeSpan.FromSeconds(1));

        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 2") == EndpointCount,
            "every delivery succeeds on its retry, those of the killed silo's endpoints included",
            TimeSpan.FromSeconds(90));
        foreach (var endpoint in endpoints)
        {
            var delivery = (await cluster.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint })).Items.Single();
            Assert.Equal([500, 204], delivery.Attempts.Select(a => a.StatusCode));
            Assert.True(delivery.Attempts[1].Time - delivery.Attempts[0].Time >= RetryDelay, $"{endpoint}'s retry came before it was due");
        }

        Assert.Equal(2 * EndpointCount, Receiver.Requests.Count);
    }

    private static List<string> Hosted(TestCluster cluster, SiloHandle silo, IEnumerable<string> endpoints) =>
        [.. endpoints.Where(key => cluster.TryGetGrainContext(GrainId.Create("endpoint", key), out var context)
            && context.Address.SiloAddress is { } address && address.Equals(silo.SiloAddress))];

    private sealed class FakeDeliveryClock : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSingleton(new DeliveryClock(Clock));
    }
}
