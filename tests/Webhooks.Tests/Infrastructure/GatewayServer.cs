using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webhooks.Gateway.Hosting;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The real gateway (gRPC and JSON listeners on loopback ports) serving a test cluster as a client.</summary>
public sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app, string grpcUrl, string httpUrl)
    {
        _app = app;
        GrpcUrl = grpcUrl;
        HttpUrl = httpUrl;
        Channel = GrpcChannel.ForAddress(grpcUrl);
    }

    public string GrpcUrl { get; }

    public string HttpUrl { get; }

    public GrpcChannel Channel { get; }

    /// <param name="settings">More configuration (API keys, limits), over the loopback listeners.</param>
    public static async Task<GatewayServer> StartAsync(IClusterClient client, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:GrpcUrl"] = "http://127.0.0.1:0",
            ["Gateway:HttpUrl"] = "http://127.0.0.1:0",
            // The dashboard needs its services in the process that hosts Orleans; the test cluster's client is not ours.
            ["Gateway:Dashboard"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddWebhooksGateway();
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<IGrainFactory>(client);
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        app.MapWebhooksGateway();
        await app.StartAsync();
        // Listeners are bound in configuration order: gRPC first, then JSON.
        var addresses = app.BoundAddresses();
        return new GatewayServer(app, addresses[0], addresses[1]);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
