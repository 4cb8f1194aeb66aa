using Webhooks.Gateway.Hosting;

// Standalone gateway: serves the API as an Orleans client of a running cluster. The silo co-hosts the same
// gateway by default; run this only to scale the API tier separately.
var builder = WebApplication.CreateBuilder(args);
builder.AddWebhooksGateway();
builder.Services.AddSingleton(TimeProvider.System);
var cluster = builder.Configuration.GetSection("Orleans");
builder.UseOrleansClient(client => client.UseLocalhostClustering(
    gatewayPort: cluster.GetValue("GatewayPort", 30000),
    clusterId: cluster.GetValue("ClusterId", "webhooks") ?? "webhooks"));

var app = builder.Build();
app.MapWebhooksGateway();
app.Run();
