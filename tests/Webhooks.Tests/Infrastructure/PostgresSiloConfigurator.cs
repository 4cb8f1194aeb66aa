using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Webhooks.Hosting;
using Webhooks.Secrets;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Puts a test silo's clustering, grain storage and reminders on the PostgreSQL database named by
/// <see cref="ConnectionStringKey"/> in the cluster's properties, as the durable mode will; the client finds the
/// gateways through the same membership table.</summary>
public sealed class PostgresSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string ConnectionStringKey = "ConnectionStrings:Postgres";

    /// <summary>The ADO.NET provider invariant; the Orleans default is SQL Server, so it is always set.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>A storage that deletes the row on clear, so tests reach the optional DeleteStorageKey query.</summary>
    public const string DeleteOnClearStorage = "delete-on-clear";

    /// <summary>Orleans' own minimum is a minute; tests wait for ticks, so they allow shorter periods.</summary>
    public static readonly TimeSpan MinimumReminderPeriod = TimeSpan.FromSeconds(1);

    public void Configure(ISiloBuilder siloBuilder)
    {
        var connectionString = ConnectionString(siloBuilder.Configuration);
        siloBuilder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        // As the durable mode: Orleans' binary serializer instead of the default Newtonsoft JSON one, which drops values
        // equal to the CLR default (a disabled webhook would come back enabled) and records CLR type names, sealed with
        // Secrets:Key: see ProductStateSerializationTests. Storage providers pick up a serializer keyed by their name.
        siloBuilder.Services.Configure<SecretsOptions>(o => o.Key = TestSecrets.Key);
        siloBuilder.Services.AddKeyedSingleton<IGrainStorageSerializer>(StorageNames.Definitions, (sp, _) => new SealedGrainStorageSerializer(
            ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(sp), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecretsOptions>>()));
        siloBuilder.AddAdoNetGrainStorage(StorageNames.Definitions, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        siloBuilder.AddAdoNetGrainStorage(StorageNames.PubSub, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        siloBuilder.AddAdoNetGrainStorage(DeleteOnClearStorage, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
            options.DeleteStateOnClear = true;
        });
        siloBuilder.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = MinimumReminderPeriod);
    }

    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = ConnectionString(configuration);
        });

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionStringKey]
        ?? throw new InvalidOperationException($"The test cluster needs the property {ConnectionStringKey}.");
}
