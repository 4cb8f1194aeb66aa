using System.Globalization;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, two silos: an endpoint whose silo stops gracefully while it still has deliveries
/// to send moves them to the other silo at once. Its recovery reminder (here ten minutes away) is for silos that die,
/// and nothing else calls the endpoint after the stop: the stream messages of its events are acknowledged before it
/// (so the queue's new owner has nothing of them to read again and hand to the webhook).</summary>
[Trait("Category", "Durability")]
public sealed class GracefulHandOffTests : DurableTest
{
    private const int Events = 10;

    // Stream messages that push the test's own out of the newest cache bucket, which is acknowledged last.
    private const int Fillers = 80;

    [Fact]
    public async Task PendingDeliveriesOfAStoppingSilo_AreSentFromTheOtherSilo_WithoutWaitingForTheReminder()
    {
        var settings = new Dictionary<string, string> { ["Delivery:RecoveryInterval"] = "00:10:00", ["Streams:QueueCount"] = "1" };
        await using var cluster = await Durable.StartAsync(2, settings);
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        // Every attempt stays on the wire until it times out, as long as the receiver is stalled: one is always in
        // flight or about to be retried when the silo stops.
        var endpointId = await scenario.EndpointAsync($"{Receiver.Url}/handoff", d => d with { MaxInFlight = 1, Timeout = TimeSpan.FromSeconds(3) });
        await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = cluster.Client.GetGrain<IEndpointGrain>(endpointId);

        // The first delivery keeps failing; the others wait behind it.
        Receiver.Stall();
        for (var n = 0; n < Events; n++)
        {
            await scenario.PublishAsync(Scenario.Event(type, "created", new { n }));
        }

        await Receiver.WaitForAsync("/handoff", 1);
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

        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var host = await management.GetActivationAddress(endpoint) ?? throw new InvalidOperationException("the endpoint is not active");
        var silo = cluster.Silos.Single(s => s.SiloAddress.Equals(host));
        await cluster.StopSiloAsync(silo);
        Receiver.Resume();

        // Attempts of the first delivery that timed out were recorded too: count deliveries, not requests.
        var expected = Enumerable.Range(0, Events).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        await Poll.UntilAsync(() => expected.IsSubsetOf(Receiver.For("/handoff").Select(r => r.BodyText)),
            $"all {Events} deliveries arrived from the other silo", TimeSpan.FromSeconds(30));
    }
}
