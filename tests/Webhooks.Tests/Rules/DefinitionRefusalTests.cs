using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>A definition that cannot run is refused whole through the real gateway: INVALID_ARGUMENT naming the
/// field, and nothing stored (not found, creatable again under the same id, not listed).</summary>
[Collection(ClusterCollection.Name)]
public sealed class DefinitionRefusalTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Theory]
    [InlineData("not-4000")]
    [InlineData("paren-4000")]
    [InlineData("array-4000")]
    public async Task AConditionNestedThousandsDeep_IsRefusedWhole(string shape)
    {
        var condition = shape switch
        {
            "not-4000" => new string('!', 4000) + "true",
            "paren-4000" => new string('(', 4000) + "true" + new string(')', 4000),
            _ => new string('[', 4000) + new string(']', 4000) + ".length === 1",
        };
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "e", Url = "http://127.0.0.1:9/never" },
        });
        var id = $"deep-{shape}-{Prefix}";
        var request = new CreateWebhookRequest
        {
            WebhookId = id,
            Webhook = new Webhook { Name = "deep", ObjectTypes = { "dcim.device" }, Events = { "*" }, EndpointIds = { endpoint.Id }, Condition = condition },
        };

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.CreateWebhookAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("webhook.condition", ex.Status.Detail, StringComparison.Ordinal);
        }

        var lookup = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
        var listed = await WebhooksApi.ListWebhooksAsync(new ListWebhooksRequest { PageSize = 1000 });
        Assert.DoesNotContain(listed.Webhooks, w => w.Id == id);
    }
}
