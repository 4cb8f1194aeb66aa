using Orleans.TestingHost;
using Webhooks.Hosting;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Test silos run exactly what the real silo adds, configured through the cluster's properties.</summary>
public sealed class WebhooksSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddWebhooks(siloBuilder.Configuration);
}
