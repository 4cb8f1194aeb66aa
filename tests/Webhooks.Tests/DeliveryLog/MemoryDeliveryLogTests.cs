using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.DeliveryLog;

/// <summary>The embedded default keeps each endpoint's log in the memory of the silo that hosts it; reads ask every
/// silo, never the endpoint grains.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MemoryDeliveryLogTests(ClusterFixture fixture) : IAsyncLifetime
{
    private const int Endpoints = 8;

    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Log_ReadsEverySilosMemory_EachSiloAnsweringForTheEndpointsItHosts()
    {
        var type = _scenario.Type();
        var endpoints = new List<string>();
        for (var i = 0; i < Endpoints; i++)
        {
            endpoints.Add(await _scenario.EndpointAsync($"{_receiver.Url}/log"));
        }

        var webhook = await _scenario.WebhookAsync([type], [.. endpoints]);
        var published = Scenario.Event(type, "created", new { name = "sw1" });
        await _scenario.PublishAsync(published);
        await _receiver.WaitForAsync("/log", Endpoints);

        var log = fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey);
        var all = await Poll.ForAsync(
            () => log.ListAsync(new DeliveryQuery { WebhookId = webhook, Status = DeliveryStatus.Succeeded }),
            page => page.Items.Length == Endpoints,
            $"the log lists the {Endpoints} succeeded deliveries of the event");
        Assert.Equal(endpoints.Order(StringComparer.Ordinal), all.Items.Select(d => d.EndpointId).Order(StringComparer.Ordinal));
        Assert.All(all.Items, d => Assert.Equal(published.EventId, d.EventId));

        // Each silo's log grain runs on its silo and answers from that silo's memory: every delivery comes from
        // exactly one of them.
        var perSilo = new List<string>();
        foreach (var silo in fixture.Cluster.GetActiveSilos())
        {
            var local = await fixture.Client.GetGrain<ISiloDeliveryLogGrain>(SiloPinnedPlacement.KeyFor(silo.SiloAddress))
                .QueryAsync(new DeliveryQuery { WebhookId = webhook, PageSize = 100 });
            perSilo.AddRange(local.Items.Select(d => d.EndpointId));
        }

        Assert.Equal(endpoints.Order(StringComparer.Ordinal), perSilo.Order(StringComparer.Ordinal));

        var one = all.Items[3];
        Assert.Equal(one.Id, (await log.GetAsync(one.Id)).Id);
        await Assert.ThrowsAsync<Errors.ResourceNotFoundException>(() => log.GetAsync(DeliveryId.Format(one.EndpointId, one.Sequence + 1_000_000)));
    }

    [Fact]
    public async Task Log_PagesAcrossSilos_NewestFirst_WithoutRepeatsOrGaps()
    {
        var type = _scenario.Type();
        var endpoints = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            endpoints.Add(await _scenario.EndpointAsync($"{_receiver.Url}/pages"));
        }

        var webhook = await _scenario.WebhookAsync([type], [.. endpoints]);
        for (var e = 0; e < 5; e++)
        {
            await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = e }));
        }

        await _receiver.WaitForAsync("/pages", 20);
        var log = fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey);
        await Poll.UntilAsync(
            async () => (await log.ListAsync(new DeliveryQuery { WebhookId = webhook, Status = DeliveryStatus.Succeeded, PageSize = 100 })).Items.Length == 20,
            "all 20 deliveries are finished");

        var seen = new List<DeliveryRecord>();
        string? token = null;
        do
        {
            var page = await log.ListAsync(new DeliveryQuery { WebhookId = webhook, PageSize = 3, PageToken = token });
            Assert.True(page.Items.Length <= 3);
            seen.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(20, seen.Count);
        Assert.Equal(20, seen.Select(d => d.Id).Distinct().Count());
        Assert.Equal(seen.OrderBy(DeliveryCursor.Of).Select(d => d.Id), seen.Select(d => d.Id));
    }
}
