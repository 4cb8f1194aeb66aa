using Orleans.Dashboard;
using Webhooks.Gateway.Auth;
using Webhooks.Gateway.Health;
using Webhooks.Gateway.Hosting;
using Webhooks.Hosting;

// Standalone gateway: serves the API as an Orleans client of a running cluster. The silo co-hosts the same
// gateway by default; run this only to scale the API tier separately. It finds the cluster the way the silos
// are configured: on localhost (the embedded default) or through the PostgreSQL membership table.
if (args is [NewKeyCommand.Name, .. var keyArgs])
{
    Environment.ExitCode = NewKeyCommand.Run(keyArgs, Console.Out, Console.Error);
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHealthChecks().AddCheck<ClusterClientHealthCheck>("cluster", tags: [HealthTags.Ready]);
var cluster = builder.Configuration.GetSection(SiloClusterOptions.Section).Get<SiloClusterOptions>() ?? new SiloClusterOptions();
var connectionString = StorageOptions.PostgresConnectionString(builder.Configuration);
var dashboard = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.Dashboard ?? true;
builder.UseOrleansClient(client =>
{
    if (dashboard)
    {
        client.AddDashboard();
    }

    if (connectionString is not null)
    {
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        client.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
    }
    else
    {
        client.UseLocalhostClustering(gatewayPort: cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
    }
});

builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = cluster.ShutdownTimeout);

try
{
    builder.AddWebhooksGateway();
    var app = builder.Build();
    app.MapWebhooksGateway();
    await app.RunAsync();
}
catch (Exception ex) when (StartupProblem.Describe(ex, connectionString) is { } problem)
{
    Console.Error.WriteLine($"Webhooks gateway cannot start: {problem}");
    Environment.ExitCode = 2;
}
