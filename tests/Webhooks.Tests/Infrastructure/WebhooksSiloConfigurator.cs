using Orleans.TestingHost;
using Webhooks.Hosting;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Test silos run exactly what the real silo adds, configured through the cluster's properties, on the
/// loopback default (receivers are on 127.0.0.1) unless the property "Tests:LoopbackDestinations" is "refused", with
/// <see cref="InjectedFaults"/> and <see cref="GrainCallCounter"/> installed.</summary>
public sealed class WebhooksSiloConfigurator : ISiloConfigurator
{
    public const string LoopbackDestinations = "Tests:LoopbackDestinations";

    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddWebhooks(siloBuilder.Configuration);
        siloBuilder.AddIncomingGrainCallFilter<InjectedFaults>();
        siloBuilder.AddIncomingGrainCallFilter<GrainCallCounter>();
        if (siloBuilder.Configuration[LoopbackDestinations] != "refused")
        {
            siloBuilder.AllowLoopbackDestinations();
        }
    }
}
