using Google.Protobuf.WellKnownTypes;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>A webhook's status counts what it did with each event, the ones it turned down by event name or by
/// condition included, and a new activation continues from the counts the last one saved.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WebhookStatusTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task TheStatus_CountsEventsTurnedDown_AndOutlivesTheActivation()
    {
        var type = $"st{Prefix}.device";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "receiver", Url = $"{Receiver.Url}/status" },
        });
        var webhook = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, Condition = "data.n > 1", EndpointIds = { endpoint.Id } },
        });

        await PublishAsync(type, "deleted", 5);
        await PublishAsync(type, "created", 1);
        await PublishAsync(type, "created", 2);
        await Receiver.WaitForAsync("/status", 1);
        var status = await Poll.ForAsync(
            async () => (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook.Id })).Status,
            s => s.EventsFilteredByEvent == 1 && s.EventsFilteredByCondition == 1 && s.DeliveriesCreated == 1,
            "one event of each kind counted");
        Assert.Equal(1, status.EventsMatched);

        // Collected, the grain saves its counts; the next activation reads them back.
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        var grainId = GrainId.Create("webhook", webhook.Id);
        await Poll.UntilAsync(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            return !(await management.GetActiveGrains(GrainType.Create("webhook"))).Contains(grainId);
        }, "the webhook's activation is collected");

        var after = (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook.Id })).Status;
        Assert.Equal(status.EventsFilteredByEvent, after.EventsFilteredByEvent);
        Assert.Equal(status.EventsFilteredByCondition, after.EventsFilteredByCondition);
        Assert.Equal(status.EventsMatched, after.EventsMatched);
        Assert.Equal(status.DeliveriesCreated, after.DeliveriesCreated);
    }

    private Task<PublishResponse> PublishAsync(string type, string name, int n) =>
        EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = type, Event = name, Data = new Struct { Fields = { ["n"] = Value.ForNumber(n) } } },
        }).ResponseAsync;
}
