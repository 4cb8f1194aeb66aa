using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Outbound;

/// <summary>A cluster as it runs with API keys or on a network: loopback is not a destination either.</summary>
public sealed class LoopbackRefusedClusterFixture : ClusterFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        [WebhooksSiloConfigurator.LoopbackDestinations] = "refused",
    };
}

/// <summary>Server-side request forgery through the real gateway: addresses refused at create and update in every
/// spelling, host names checked against what they resolve to when the connection is made (and not retried), hosts
/// that templates would choose refused.</summary>
public sealed class OutboundPolicyGatewayTests(LoopbackRefusedClusterFixture fixture) : GatewayTest(fixture.Client), IClassFixture<LoopbackRefusedClusterFixture>
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://0xA9FEA9FE/latest/meta-data/", "link-local")]
    [InlineData("http://2852039166/latest/meta-data/", "link-local")]
    [InlineData("http://0251.0376.0251.0376/", "link-local")]
    [InlineData("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "private")]
    [InlineData("http://10.0.0.1/admin", "private")]
    [InlineData("http://192.168.0.1:8080/", "private")]
    [InlineData("http://100.100.100.200/latest/meta-data/", "CGNAT")]
    [InlineData("http://127.0.0.1:9/hooks", "loopback")]
    [InlineData("http://0.0.0.0:9/hooks", "this host")]
    public async Task AnAddressThatDeliveriesMayNotReach_IsRefusedAtCreate_InAnySpelling(string url, string kind)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            EndpointId = $"ssrf-{Prefix}",
            Endpoint = new Endpoint { Name = "metadata", Url = url },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("endpoint.url", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(kind, ex.Status.Detail, StringComparison.Ordinal);
        var lookup = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = $"ssrf-{Prefix}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task UpdatingAnEndpointToARefusedAddress_IsRefused_AndKeepsTheOldUrl()
    {
        var created = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "public", Url = "https://hooks.example.com/in" },
        });

        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.UpdateEndpointAsync(new UpdateEndpointRequest
        {
            Endpoint = new Endpoint { Id = created.Id, Url = "http://[::ffff:a9fe:a9fe]/" },
            UpdateMask = new FieldMask { Paths = { "url" } },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("endpoint.url", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("https://hooks.example.com/in", (await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = created.Id })).Url);
    }

    [Theory]
    [InlineData("http://{{ data.host }}/hooks")]
    [InlineData("http://hooks.example.com{{ data.suffix }}/in")]
    [InlineData("https://{% if data.a %}a{% else %}b{% endif %}.example.com/")]
    [InlineData("http://hooks.example.com:{{ data.port }}/in")]
    public async Task AHostChosenByATemplate_IsRefused(string url)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "templated", Url = url },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("endpoint.url", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("only the path and query", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APathAndQueryFromATemplate_AreAccepted()
    {
        var created = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "templated", Url = "https://hooks.example.com/{{ data.site }}?device={{ data.name }}" },
        });

        Assert.Equal("https://hooks.example.com/{{ data.site }}?device={{ data.name }}", created.Url);
    }

    [Fact]
    public async Task AHostNameThatResolvesToARefusedAddress_FailsAtConnect_WithoutRetries_AndReachesNothing()
    {
        var type = $"ssrf{Prefix}.device";
        var url = Receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "rebinding", Url = $"{url}/inside" },
        });
        await new Api.V1.Webhooks.WebhooksClient(Gateway.Channel).CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id } },
        });

        await new Api.V1.Events.EventsClient(Gateway.Channel).PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = type, Event = "created", Data = Struct.Parser.ParseJson("""{"name":"sw1"}""") },
        });
        var failed = await Poll.ForAsync(
            async () => await DeliveriesApi.ListDeliveriesAsync(new ListDeliveriesRequest { EndpointId = endpoint.Id }),
            r => r.Deliveries.Count == 1 && r.Deliveries[0].Status == Api.V1.Delivery.Types.Status.Failed,
            "the delivery fails");
        var attempt = Assert.Single(failed.Deliveries[0].Attempts);
        Assert.Equal(0, attempt.ResponseStatusCode);
        Assert.Contains("refused localhost", attempt.Error, StringComparison.Ordinal);
        Assert.Contains("loopback", attempt.Error, StringComparison.Ordinal);

        var test = await DeliveriesApi.SendTestEventAsync(new SendTestEventRequest { EndpointId = endpoint.Id });
        Assert.Contains("loopback", Assert.Single(test.Attempts).Error, StringComparison.Ordinal);
        Assert.Empty(Receiver.Requests);
    }
}
