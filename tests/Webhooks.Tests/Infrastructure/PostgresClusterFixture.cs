using Orleans.TestingHost;
using Webhooks.Postgres;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Two silos whose clustering, grain storage and reminders live in a fresh PostgreSQL database.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private PostgresServer.Database? database;

    public TestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string ConnectionString => database!.ConnectionString;

    public string ClusterId => Cluster.Options.ClusterId;

    public string ServiceId => Cluster.Options.ServiceId;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(database.ConnectionString);

        var builder = new TestClusterBuilder(2);
        // Otherwise the test cluster brings its own in-memory membership and points the client at it.
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[PostgresSiloConfigurator.ConnectionStringKey] = database.ConnectionString;
        builder.AddSiloBuilderConfigurator<PostgresSiloConfigurator>();
        builder.AddClientBuilderConfigurator<PostgresSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>Runs one statement on the cluster's database; the default value when it yields no row or NULL.</summary>
    public Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters) => database!.ScalarAsync<T>(sql, parameters);
}

[CollectionDefinition(Name)]
public sealed class PostgresClusterCollection : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres cluster";
}
