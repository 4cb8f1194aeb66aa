using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>TestWebhook through the real gateway: a stored or unsaved webhook against a NetBox-shaped event gives the
/// request deliveries would send (method, rendered URL, headers, body), and sends nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TestWebhookTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    private static readonly ObjectEvent NetBoxIpAddress = new()
    {
        ObjectType = "ipam.ipaddress",
        Event = "created",
        Username = "jdoe",
        Data = Struct.Parser.ParseJson("""{"id": 7, "address": "192.0.2.1/24", "status": {"value": "active"}, "tenant": {"slug": "ams"}}"""),
    };

    [Fact]
    public async Task AnUnsavedWebhook_RendersTheRequest_AndNothingIsSent()
    {
        var webhook = await WebhookAsync();

        var preview = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest { Webhook = webhook, Event = NetBoxIpAddress });

        Assert.True(preview.Matched, preview.Error);
        Assert.Empty(preview.Error);
        Assert.Equal("PUT", preview.HttpMethod);
        Assert.Equal($"{Receiver.Url}/preview/7", preview.Url);
        Assert.Equal("""{"text": "IP 192.0.2.1/24 created by jdoe"}""", preview.Body);
        Assert.Contains(preview.Headers, h => h.Name == "X-Tenant" && h.Value == "ams");
        Assert.Contains(preview.Headers, h => h.Name == "Content-Type" && h.Value == "application/json");
        Assert.Empty(Receiver.For("/preview/7"));
    }

    [Fact]
    public async Task AStoredWebhook_GivesTheSameAsItsDefinition()
    {
        var definition = await WebhookAsync();
        var stored = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest { Webhook = definition });

        var byId = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest { WebhookId = stored.Id, Event = NetBoxIpAddress });
        var unsaved = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest { Webhook = definition, Event = NetBoxIpAddress });

        Assert.Equal(unsaved, byId);
    }

    [Theory]
    [InlineData("data.status.value === 'retired'", "")]
    [InlineData("data.missing.value === 1", "condition threw")]
    public async Task AnEventTheConditionTurnsDown_OrFailsOn_DoesNotMatch(string condition, string error)
    {
        var webhook = await WebhookAsync();
        webhook.Condition = condition;

        var preview = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest { Webhook = webhook, Event = NetBoxIpAddress });

        Assert.False(preview.Matched);
        Assert.Contains(error, preview.Error, StringComparison.Ordinal);
        Assert.Empty(preview.Body);
    }

    [Fact]
    public async Task AnInvalidUnsavedWebhook_IsRefused_NamingTheField_AsCreateWould()
    {
        var webhook = await WebhookAsync();
        webhook.Condition = "data.a ===";

        var invalid = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.TestWebhookAsync(new TestWebhookRequest { Webhook = webhook, Event = NetBoxIpAddress }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("webhook.condition", invalid.Status.Detail, StringComparison.Ordinal);

        var both = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.TestWebhookAsync(new TestWebhookRequest { WebhookId = "x", Webhook = webhook, Event = NetBoxIpAddress }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        var noEvent = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.TestWebhookAsync(new TestWebhookRequest { WebhookId = "x" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noEvent.StatusCode);
        Assert.Contains("event", noEvent.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<Webhook> WebhookAsync()
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "receiver", Url = Receiver.Url + "/preview/{{ data.id }}" },
        });
        return new Webhook
        {
            Name = "new active IPs",
            ObjectTypes = { "ipam.ipaddress" },
            Events = { "created" },
            Condition = "data.status.value === 'active'",
            HttpMethod = "PUT",
            AdditionalHeaders = "X-Tenant: {{ data.tenant.slug }}",
            BodyTemplate = """{"text": "IP {{ data.address }} created by {{ username }}"}""",
            EndpointIds = { endpoint.Id },
        };
    }
}
