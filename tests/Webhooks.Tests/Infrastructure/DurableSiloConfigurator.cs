using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using Webhooks.Hosting;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The product's durable mode on a test silo: ADO.NET clustering (as the silo host sets it up) and
/// AddWebhooks with Storage:Provider=postgres from the cluster's properties.</summary>
public sealed class DurableSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = siloBuilder.Configuration.GetConnectionString(StorageOptions.ConnectionStringName);
        });
        // A killed silo is declared dead in seconds rather than the production default's half a minute or more.
        siloBuilder.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
        });
        siloBuilder.AddWebhooks(siloBuilder.Configuration).AllowLoopbackDestinations();
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = StorageOptions.Invariant;
            o.ConnectionString = configuration.GetConnectionString(StorageOptions.ConnectionStringName);
        });
}
