using Orleans.TestingHost;
using Webhooks.Postgres;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Test clusters in durable mode (Storage:Provider=postgres) on one fresh database, with timings short
/// enough for tests: stream messages of a lost silo come back after 3 s, retries after 200 ms.</summary>
public sealed class DurableCluster : IAsyncDisposable
{
    private readonly string _clusterId = $"durable-{Guid.NewGuid():N}"[..20];

    private DurableCluster(PostgresServer.Database database) => Database = database;

    public PostgresServer.Database Database { get; }

    public string ConnectionString => Database.ConnectionString;

    public static async Task<DurableCluster> CreateAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        return new DurableCluster(database);
    }

    /// <summary>Starts silos of this cluster (same ids and database every time, so a second start is a restart).</summary>
    public async Task<TestCluster> StartAsync(int silos = 2, IReadOnlyDictionary<string, string>? settings = null, Action<TestClusterBuilder>? configure = null)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ClusterId = _clusterId;
        builder.Options.ServiceId = _clusterId;
        builder.Properties["Storage:Provider"] = "postgres";
        builder.Properties["Secrets:Key"] = TestSecrets.Key;
        builder.Properties["ConnectionStrings:Postgres"] = Database.ConnectionString;
        builder.Properties["Streams:VisibilityTimeout"] = "00:00:03";
        builder.Properties["Streams:IdleReadInterval"] = "00:00:00.500";
        builder.Properties["Delivery:RetryDelays:0"] = "00:00:00.200";
        builder.Properties["Delivery:ThrottleMinimumDelay"] = "00:00:00";
        builder.Properties["Delivery:RecoveryInterval"] = "00:00:05";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.Properties[key] = value;
        }

        configure?.Invoke(builder);
        builder.AddSiloBuilderConfigurator<DurableSiloConfigurator>();
        builder.AddClientBuilderConfigurator<DurableSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Runs one query on the cluster's database; the default value when it yields no row or NULL.</summary>
    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters) => Database.ScalarAsync<T>(sql, parameters);

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
