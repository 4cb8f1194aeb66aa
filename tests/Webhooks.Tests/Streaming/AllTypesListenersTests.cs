using Orleans.Runtime;
using Webhooks.Events;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Streaming;

/// <summary>A cluster of its own: whether anyone listens to all types is cluster-wide, and the shared cluster has
/// "*" webhooks from other tests.</summary>
public sealed class AllTypesListenersClusterFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Streams:AllTypesLease"] = "00:00:02",
    };
}

/// <summary>Events go to the all-types stream only while a "*" or prefix webhook exists, and the first such webhook
/// receives every event published after its create returned (created and published through the gateway, as users do).</summary>
public sealed class AllTypesListenersTests(AllTypesListenersClusterFixture fixture) : GatewayTest(fixture.Client), IClassFixture<AllTypesListenersClusterFixture>
{
    private readonly Scenario _scenario = new(fixture.Client);

    [Fact]
    public async Task WithoutWildcardWebhooks_EventsSkipTheAllTypesStream_AndTheFirstOneGetsEveryLaterEvent()
    {
        var type = _scenario.Type();
        var typed = await _scenario.EndpointAsync($"{Receiver.Url}/typed");
        await _scenario.WebhookAsync(type, typed, d => d with { BodyTemplate = "{{ event_id }}" });
        var listeners = fixture.Client.GetGrain<IAllTypesListenersGrain>(IAllTypesListenersGrain.Key);

        // The type's grain has heard that nobody listens, and acts on it for a lease.
        await Publish(type, "first");
        Assert.False((await listeners.AskAsync()).Listened);
        var probe = fixture.Client.GetGrain<IAllTypesProbeGrain>("probe");
        await probe.SubscribeAsync();
        var skipped = await Publish(type, "skipped");
        await Receiver.WaitForAsync("/typed", 2);

        var all = await _scenario.EndpointAsync($"{Receiver.Url}/all");
        var wildcard = await WebhooksApi.CreateWebhookAsync(new Api.V1.CreateWebhookRequest
        {
            Webhook = new Api.V1.Webhook { Name = "all", ObjectTypes = { "*" }, Events = { "*" }, EndpointIds = { all }, BodyTemplate = "{{ event_id }}" },
        });
        Assert.True((await listeners.AskAsync()).Listened);
        // At once: the type's grain still holds its lease, and the create waited it out.
        var after = await Publish(type, "after");

        Assert.Equal([after], (await Receiver.WaitForAsync("/all", 1)).Select(r => r.BodyText));
        await Poll.UntilAsync(async () => (await probe.SeenAsync()).Contains(after), "the probe read the event written after the create");
        // The stream is in order: what was written before the last event has been read by now.
        Assert.DoesNotContain(skipped, await probe.SeenAsync());
        Assert.Equal(3, (await Receiver.WaitForAsync("/typed", 3)).Count);

        await WebhooksApi.DeleteWebhookAsync(new Api.V1.DeleteWebhookRequest { Id = wildcard.Id });
        Assert.False((await listeners.AskAsync()).Listened);
    }

    private async Task<string> Publish(string type, string name)
    {
        var id = $"evt-{Prefix}-{name}";
        await EventsApi.PublishAsync(new Api.V1.PublishRequest { Event = new Api.V1.ObjectEvent { EventId = id, ObjectType = type, Event = "created" } });
        return id;
    }
}

/// <summary>The set of listeners is rebuilt from Orleans' own subscriptions whenever its grain activates: a database
/// from before the set existed, or a webhook that subscribed without being recorded, is not missed.</summary>
public sealed class AllTypesListenersRecoveryTests(AllTypesListenersClusterFixture fixture) : IClassFixture<AllTypesListenersClusterFixture>, IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task ASubscriberTheSetForgot_IsFoundAgainOnTheNextActivation()
    {
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/prefix");
        var prefix = _scenario.Type("x").Split('.')[0];
        var webhook = await _scenario.WebhookAsync($"{prefix}.*", endpoint, d => d with { BodyTemplate = "{{ model }}" });
        var listeners = fixture.Client.GetGrain<IAllTypesListenersGrain>(IAllTypesListenersGrain.Key);
        // As a database from before the set existed would have it: subscribed, but not in the set.
        await listeners.RemoveAsync(webhook);
        Assert.False((await listeners.AskAsync()).Listened);

        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Poll.UntilAsync(
            async () => (await management.GetActiveGrains(GrainType.Create("all-types-listeners"))).Count == 0,
            "the listeners grain was deactivated");

        Assert.True((await listeners.AskAsync()).Listened);
        var neverSeen = $"{prefix}.new_model";
        await _scenario.PublishAsync(Scenario.Event(neverSeen, "created", new { n = 1 }));
        Assert.Equal([neverSeen], (await _receiver.WaitForAsync("/prefix", 1)).Select(r => r.BodyText));
    }
}
