using System.Globalization;
using Orleans.Core.Internal;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: an endpoint deactivated while it still has deliveries to send (its silo stops
/// gracefully; or, as Orleans does to activations whose directory entry was on a silo that left, for another reason)
/// has them taken over by a new activation at once. Its recovery reminder (here ten minutes away) is for silos that
/// die, and nothing else calls the endpoint afterwards: the stream messages of its events are acknowledged before
/// (so no queue owner has anything of them to read again and hand to the webhook).</summary>
[Trait("Category", "Durability")]
public sealed class GracefulHandOffTests : DurableTest
{
    private const int Events = 10;

    // Stream messages that push the test's own out of the newest cache bucket, which is acknowledged last.
    private const int Fillers = 80;

    private static readonly Dictionary<string, string> Settings = new() { ["Delivery:RecoveryInterval"] = "00:10:00", ["Streams:QueueCount"] = "1" };

    [Fact]
    public async Task PendingDeliveriesOfAStoppingSilo_AreSentFromTheOtherSilo_WithoutWaitingForTheReminder()
    {
        await using var cluster = await Durable.StartAsync(2, Settings);
        var endpoint = await HoldPendingDeliveriesAsync(cluster, "/handoff");

        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var host = await management.GetActivationAddress(endpoint) ?? throw new InvalidOperationException("the endpoint is not active");
        var silo = cluster.Silos.Single(s => s.SiloAddress.Equals(host));
        await cluster.StopSiloAsync(silo);
        Receiver.Resume();

        await AllDeliveredAsync("/handoff", "from the other silo");
    }

    [Fact]
    public async Task PendingDeliveriesOfAnEndpointDeactivatedForAnotherReason_AreSentWithoutWaitingForTheReminder()
    {
        await using var cluster = await Durable.StartAsync(1, Settings);
        var endpoint = await HoldPendingDeliveriesAsync(cluster, "/deactivated");

        await endpoint.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        Receiver.Resume();

        await AllDeliveredAsync("/deactivated", "from a new activation");
    }

    /// <summary>An endpoint with <see cref="Events"/> deliveries, the first failing on a stalled receiver and the
    /// rest queued behind it, and the stream messages of its events acknowledged.</summary>
    private async Task<IEndpointGrain> HoldPendingDeliveriesAsync(Orleans.TestingHost.TestCluster cluster, string path)
    {
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        // Every attempt stays on the wire until it times out, as long as the receiver is stalled: one is always in
        // flight or about to be retried when the endpoint is deactivated.
        var endpointId = await scenario.EndpointAsync($"{Receiver.Url}{path}", d => d with { MaxInFlight = 1, Timeout = TimeSpan.FromSeconds(3) });
        await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = cluster.Client.GetGrain<IEndpointGrain>(endpointId);

        Receiver.Stall();
        for (var n = 0; n < Events; n++)
        {
            await scenario.PublishAsync(Scenario.Event(type, "created", new { n }));
        }

        await Receiver.WaitForAsync(path, 1);
        await Poll.UntilAsync(async () => (await endpoint.GetStatusAsync()).Queued == Events - 1, $"{Events - 1} deliveries wait behind the first");

        var ours = await Durable.ScalarAsync<long>("SELECT max(message_id) FROM webhooks_event_queue");
        var filler = scenario.Type("filler");
        for (var n = 0; n < Fillers; n++)
        {
            await scenario.PublishAsync(Scenario.Event(filler, "created", new { n }));
        }

        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_event_queue WHERE message_id <= @ours", ("ours", ours)) == 0,
            "the stream messages of the endpoint's events are acknowledged");
        return endpoint;
    }

    private async Task AllDeliveredAsync(string path, string how)
    {
        // Attempts of the first delivery that timed out were recorded too: count deliveries, not requests.
        var expected = Enumerable.Range(0, Events).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        await Poll.UntilAsync(() => expected.IsSubsetOf(Receiver.For(path).Select(r => r.BodyText)),
            $"all {Events} deliveries arrived {how}", TimeSpan.FromSeconds(30));
    }
}
