using Webhooks.Gateway.Hosting;

// Standalone gateway: serves the API as an Orleans client of a running cluster. The silo co-hosts the same
// gateway by default; run this only to scale the API tier separately. It finds the cluster the way the silos
// are configured: on localhost (the embedded default) or through the PostgreSQL membership table.
var builder = WebApplication.CreateBuilder(args);
builder.AddWebhooksGateway();
builder.Services.AddSingleton(TimeProvider.System);
var cluster = builder.Configuration.GetSection("Orleans");
var clusterId = cluster.GetValue("ClusterId", "webhooks") ?? "webhooks";
var serviceId = cluster.GetValue("ServiceId", "webhooks") ?? "webhooks";
var postgres = string.Equals(builder.Configuration["Storage:Provider"], "postgres", StringComparison.OrdinalIgnoreCase);
var connectionString = builder.Configuration.GetConnectionString("Postgres");
builder.UseOrleansClient(client =>
{
    if (postgres && !string.IsNullOrWhiteSpace(connectionString))
    {
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = connectionString;
        });
        client.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = serviceId;
        });
    }
    else
    {
        client.UseLocalhostClustering(gatewayPort: cluster.GetValue("GatewayPort", 30000), serviceId: serviceId, clusterId: clusterId);
    }
});

var app = builder.Build();
app.MapWebhooksGateway();
app.Run();
