using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>Device42's endpoint kinds: a SLACK endpoint gets Slack's incoming-webhook message, a ZAPIER endpoint one
/// flat object; switching an endpoint's kind reshapes what follows.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EndpointKindTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task Slack_GetsTheSummaryOrTheRenderedBodyAsText_WithItsChannelNameAndIcon()
    {
        var type = $"k{Prefix}.device";
        var slack = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint
            {
                Name = "slack", Url = $"{Receiver.Url}/slack", Kind = Endpoint.Types.Kind.Slack,
                SlackChannel = "#netops", SlackUsername = "netbox", SlackIcon = ":robot_face:",
            },
        });
        await WebhookAsync(type, "created", slack.Id, bodyTemplate: "");
        await WebhookAsync(type, "updated", slack.Id, bodyTemplate: "Device {{ data.name }} is {{ data.status.value }}");

        await PublishAsync(type, "created");
        var summary = (await Receiver.WaitForAsync("/slack", 1)).Single();
        Assert.Equal("application/json", summary.Header("Content-Type"));
        Assert.Equal(
            """{"text":"jdoe created TYPE sw-core-01","channel":"#netops","username":"netbox","icon_emoji":":robot_face:"}""".Replace("TYPE", type, StringComparison.Ordinal),
            summary.BodyText);

        await PublishAsync(type, "updated");
        var rendered = (await Receiver.WaitForAsync("/slack", 2))[1];
        Assert.Equal("Device sw-core-01 is active", rendered.Json().GetProperty("text").GetString());
    }

    [Fact]
    public async Task Zapier_GetsOneFlatObject_AndACustomEndpointTurnedSlack_IsReshapedFromThenOn()
    {
        var type = $"z{Prefix}.device";
        var zapier = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "zap", Url = $"{Receiver.Url}/zap", Kind = Endpoint.Types.Kind.Zapier } });
        await WebhookAsync(type, "created", zapier.Id, bodyTemplate: "");

        await PublishAsync(type, "created");
        var flat = (await Receiver.WaitForAsync("/zap", 1)).Single().Json();
        Assert.Equal("sw-core-01", flat.GetProperty("data__name").GetString());
        Assert.Equal("active", flat.GetProperty("data__status__value").GetString());
        Assert.Equal(type, flat.GetProperty("object_type").GetString());
        Assert.All(flat.EnumerateObject(), p => Assert.NotEqual(JsonValueKind.Object, p.Value.ValueKind));

        await EndpointsApi.UpdateEndpointAsync(new UpdateEndpointRequest
        {
            Endpoint = new Endpoint { Id = zapier.Id, Kind = Endpoint.Types.Kind.Slack },
            UpdateMask = new FieldMask { Paths = { "kind" } },
        });
        await PublishAsync(type, "created");
        var message = (await Receiver.WaitForAsync("/zap", 2))[1].Json();
        Assert.Equal($"jdoe created {type} sw-core-01", message.GetProperty("text").GetString());

        var icon = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "bad", Url = $"{Receiver.Url}/bad", Kind = Endpoint.Types.Kind.Slack, SlackIcon = "robot" },
        }));
        Assert.Equal(StatusCode.InvalidArgument, icon.StatusCode);
        Assert.StartsWith("endpoint.slack_icon", icon.Status.Detail, StringComparison.Ordinal);
    }

    private async Task WebhookAsync(string type, string eventName, string endpointId, string bodyTemplate) =>
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = eventName, ObjectTypes = { type }, Events = { eventName }, EndpointIds = { endpointId }, BodyTemplate = bodyTemplate },
        });

    private async Task PublishAsync(string type, string eventName) =>
        await EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent
            {
                ObjectType = type, Event = eventName, Username = "jdoe", ObjectId = "42",
                Data = Struct.Parser.ParseJson("""{"name": "sw-core-01", "status": {"value": "active"}}"""),
            },
        });
}
