using System.Globalization;
using Webhooks.Endpoints;
using Webhooks.Rules;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: deleting an endpoint fails all its pending deliveries, also those only the
/// database holds, and an endpoint created again under the same id after a restart numbers its deliveries after
/// the old ones and never sends them.</summary>
[Trait("Category", "Durability")]
public sealed class EndpointDeleteTests : DurableTest
{
    private const int QueueCapacity = 4;
    private const int OldEvents = 10;
    private const int NewEvents = 3;

    [Fact]
    public async Task DeletedEndpoint_FailsItsWholeBacklog_AndOneRecreatedUnderItsIdAfterARestart_SendsOnlyNewDeliveries()
    {
        var settings = new Dictionary<string, string> { ["Delivery:QueueCapacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture) };
        var endpointId = $"ep-reuse-{Guid.NewGuid():N}"[..20];
        string type;
        string webhookId;
        await using (var first = await Durable.StartAsync(1, settings))
        {
            var scenario = new Scenario(first.Client);
            type = scenario.Type();
            var endpoint = first.Client.GetGrain<IEndpointGrain>(endpointId);
            await endpoint.CreateAsync(new EndpointDefinition { Name = "old", Url = $"{Receiver.Url}/old" });
            await endpoint.PauseAsync();
            webhookId = await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
            await scenario.PublishAsync([.. Enumerable.Range(0, OldEvents).Select(n => Scenario.Event(type, "created", new { n }))]);
            await Poll.UntilAsync(async () => await PendingAsync(endpointId) == OldEvents, $"{OldEvents} pending deliveries, most only in the database");

            // Forced: the webhook still names it (and is disabled, left with no endpoint).
            await endpoint.DeleteAsync(force: true);

            await Poll.UntilAsync(async () => await PendingAsync(endpointId) == 0, "no pending delivery left after the delete");
            Assert.Equal(OldEvents, await Durable.ScalarAsync<long>(
                "SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 3", ("e", endpointId)));
        }

        // A new cluster: the endpoint grain activates afresh from what storage kept.
        await using var second = await Durable.StartAsync(1, settings);
        var again = second.Client.GetGrain<IEndpointGrain>(endpointId);
        await again.CreateAsync(new EndpointDefinition { Name = "new", Url = $"{Receiver.Url}/new" });
        await second.Client.GetGrain<IWebhookGrain>(webhookId).UpdateAsync(
            new WebhookDefinition { EndpointIds = [endpointId], Enabled = true }, [WebhookField.EndpointIds, WebhookField.Enabled]);
        await new Scenario(second.Client).PublishAsync([.. Enumerable.Range(OldEvents, NewEvents).Select(n => Scenario.Event(type, "created", new { n }))]);

        var received = await Receiver.WaitForAsync("/new", NewEvents, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(OldEvents, NewEvents).Select(n => n.ToString(CultureInfo.InvariantCulture)), received.Select(r => r.BodyText));
        Assert.Empty(Receiver.For("/old"));
        await Poll.UntilAsync(async () => await Durable.ScalarAsync<long>(
                "SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 2", ("e", endpointId)) == NewEvents,
            "the new deliveries recorded as succeeded");
        Assert.Equal(0L, await PendingAsync(endpointId));
        Assert.Equal(OldEvents + NewEvents, await Durable.ScalarAsync<long>(
            "SELECT count(DISTINCT sequence) FROM webhooks_deliveries WHERE endpoint_id = @e", ("e", endpointId)));
    }

    private Task<long> PendingAsync(string endpointId) =>
        Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 1", ("e", endpointId));
}
