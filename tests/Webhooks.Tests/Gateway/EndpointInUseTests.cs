using System.Net;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

/// <summary>An endpoint knows the webhooks that deliver to it: deleting it while they do is refused naming them,
/// unless forced, which takes it out of them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EndpointInUseTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task DeleteEndpoint_WhileWebhooksUseIt_IsFailedPreconditionNamingThem_AndWorksOnceTheyDoNot()
    {
        var (e, f) = (await EndpointAsync("e"), await EndpointAsync("f"));
        var w1 = await WebhookAsync("w1", [e]);
        var w2 = await WebhookAsync("w2", [e, f]);
        Assert.Equal([w1, w2], (await GetEndpoint(e)).WebhookIds);
        Assert.Equal([w2], (await GetEndpoint(f)).WebhookIds);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.DeleteEndpointAsync(new DeleteEndpointRequest { Id = e }));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains($"'{w1}', '{w2}'", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("force", refused.Status.Detail, StringComparison.Ordinal);
        // Nothing changed: the endpoint is there, still used by both.
        Assert.Equal([w1, w2], (await GetEndpoint(e)).WebhookIds);

        // Over JSON, the same refusal.
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), DefaultRequestVersion = HttpVersion.Version11 };
        using var json = await http.DeleteAsync($"/v1/endpoints/{e}");
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains(w1, await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Taken out of one webhook's list and the other webhook deleted: nobody uses it, and it goes.
        await WebhooksApi.UpdateWebhookAsync(new UpdateWebhookRequest
        {
            Webhook = new Webhook { Id = w2, EndpointIds = { f } },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "endpoint_ids" } },
        });
        Assert.Equal([w1], (await GetEndpoint(e)).WebhookIds);
        await WebhooksApi.DeleteWebhookAsync(new DeleteWebhookRequest { Id = w1 });
        Assert.Empty((await GetEndpoint(e)).WebhookIds);
        await EndpointsApi.DeleteEndpointAsync(new DeleteEndpointRequest { Id = e });
        await AssertGoneAsync(e);
        Assert.Equal([w2], (await GetEndpoint(f)).WebhookIds);
    }

    [Fact]
    public async Task DeleteEndpoint_Forced_TakesItOutOfItsWebhooks_DisablingThoseLeftWithNone()
    {
        var (e, f) = (await EndpointAsync("e"), await EndpointAsync("f"));
        var only = await WebhookAsync("only", [e]);
        var both = await WebhookAsync("both", [e, f]);

        await EndpointsApi.DeleteEndpointAsync(new DeleteEndpointRequest { Id = e, Force = true });

        await AssertGoneAsync(e);
        var left = await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = only });
        Assert.Empty(left.EndpointIds);
        Assert.False(left.Enabled);
        Assert.Contains($"'{e}'", left.Status.LastError, StringComparison.Ordinal);
        var kept = await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = both });
        Assert.Equal([f], kept.EndpointIds);
        Assert.True(kept.Enabled);

        // A webhook with no endpoint may be stored disabled, not enabled.
        var enabling = await Assert.ThrowsAsync<RpcException>(async () => await WebhooksApi.UpdateWebhookAsync(new UpdateWebhookRequest
        {
            Webhook = new Webhook { Id = only, Enabled = true },
            UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "enabled" } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, enabling.StatusCode);
        Assert.StartsWith("webhook.endpoint_ids", enabling.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteEndpoint_NamedByAWebhookThatNoLongerNamesIt_GoesAhead()
    {
        // What a webhook whose write failed after it attached leaves behind: an entry the webhook does not back.
        var e = await EndpointAsync("e");
        await fixture.Client.GetGrain<IEndpointGrain>(e).AttachWebhookAsync($"ghost-{Prefix}");
        Assert.Equal([$"ghost-{Prefix}"], (await GetEndpoint(e)).WebhookIds);

        await EndpointsApi.DeleteEndpointAsync(new DeleteEndpointRequest { Id = e });

        await AssertGoneAsync(e);
    }

    private async Task<string> EndpointAsync(string name) =>
        (await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            EndpointId = $"{name}-{Prefix}",
            Endpoint = new Endpoint { Name = name, Url = $"{Receiver.Url}/{name}" },
        })).Id;

    private async Task<string> WebhookAsync(string name, string[] endpointIds) =>
        (await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            WebhookId = $"{name}-{Prefix}",
            Webhook = new Webhook { Name = name, ObjectTypes = { $"u{Prefix}.device" }, Events = { "created" }, EndpointIds = { endpointIds } },
        })).Id;

    private async Task<Endpoint> GetEndpoint(string id) => await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = id });

    private async Task AssertGoneAsync(string id)
    {
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await GetEndpoint(id));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
