namespace Webhooks.Tests.Infrastructure;

/// <summary>Per test: the real gateway in front of a shared test cluster, its API clients, and a real receiver.</summary>
public abstract class GatewayTest(IClusterClient client) : IAsyncLifetime
{
    protected string Prefix { get; } = Guid.NewGuid().ToString("N")[..8];

    protected GatewayServer Gateway { get; private set; } = null!;

    protected TestReceiver Receiver { get; private set; } = null!;

    protected Api.V1.Endpoints.EndpointsClient EndpointsApi => new(Gateway.Channel);

    protected Api.V1.Webhooks.WebhooksClient WebhooksApi => new(Gateway.Channel);

    protected Api.V1.Events.EventsClient EventsApi => new(Gateway.Channel);

    protected Api.V1.Deliveries.DeliveriesClient DeliveriesApi => new(Gateway.Channel);

    public async Task InitializeAsync()
    {
        Gateway = await GatewayServer.StartAsync(client);
        Receiver = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
