using Microsoft.Extensions.Options;
using Webhooks.Gateway.Hosting;
using Webhooks.Hosting;
using Webhooks.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOptions<SiloClusterOptions>().BindConfiguration(SiloClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var cluster = builder.Configuration.GetSection(SiloClusterOptions.Section).Get<SiloClusterOptions>() ?? new SiloClusterOptions();

builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
    silo.AddWebhooks(builder.Configuration);
});
builder.AddWebhooksGateway();

var app = builder.Build();
app.MapWebhooksGateway();

app.Lifetime.ApplicationStarted.Register(() =>
{
    var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Webhooks.Silo");
    var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
    var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
    StartupLog.Listening(logger, gateway.GrpcUrl, gateway.HttpUrl, cluster.ClusterId);
    if (storage.Provider == StorageOptions.Memory)
    {
        StartupLog.NotDurable(logger);
    }
});

app.Run();
