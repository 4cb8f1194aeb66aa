using Orleans.Runtime;
using Webhooks.Events;
using Webhooks.Rules;
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
/// receives every event published after its create returned.</summary>
public sealed class AllTypesListenersTests(AllTypesListenersClusterFixture fixture) : IClassFixture<AllTypesListenersClusterFixture>, IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task WithoutWildcardWebhooks_EventsSkipTheAllTypesStream_AndTheFirstOneGetsEveryLaterEvent()
    {
        var type = _scenario.Type();
        var typed = await _scenario.EndpointAsync($"{_receiver.Url}/typed");
        await _scenario.WebhookAsync(type, typed, d => d with { BodyTemplate = "{{ event_id }}" });
        var listeners = fixture.Client.GetGrain<IAllTypesListenersGrain>(IAllTypesListenersGrain.Key);

        // The type's grain has heard that nobody listens, and acts on it for a lease.
        var first = Scenario.Event(type, "created", new { n = 1 });
        await _scenario.PublishAsync(first);
        Assert.False((await listeners.AskAsync()).Listened);
        var probe = fixture.Client.GetGrain<IAllTypesProbeGrain>("probe");
        await probe.SubscribeAsync();
        var skipped = Scenario.Event(type, "created", new { n = 2 });
        await _scenario.PublishAsync(skipped);
        await _receiver.WaitForAsync("/typed", 2);

        var all = await _scenario.EndpointAsync($"{_receiver.Url}/all");
        var wildcard = await _scenario.WebhookAsync("*", all, d => d with { BodyTemplate = "{{ event_id }}" });
        Assert.True((await listeners.AskAsync()).Listened);
        // At once: the type's grain still holds its lease, and the create waited it out.
        var after = Scenario.Event(type, "created", new { n = 3 });
        await _scenario.PublishAsync(after);

        Assert.Equal([after.EventId], (await _receiver.WaitForAsync("/all", 1)).Select(r => r.BodyText));
        await Poll.UntilAsync(async () => (await probe.SeenAsync()).Contains(after.EventId), "the probe read the event written after the create");
        // The stream is in order: what was written before the last event has been read by now.
        Assert.DoesNotContain(skipped.EventId, await probe.SeenAsync());
        Assert.Equal(3, (await _receiver.WaitForAsync("/typed", 3)).Count);

        await fixture.Client.GetGrain<IWebhookGrain>(wildcard).DeleteAsync();
        Assert.False((await listeners.AskAsync()).Listened);
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
