using Npgsql;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private PostgresServer.Database database = null!;

    public async Task InitializeAsync() => database = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task DataSources_DurableOneWaitsForTheFlush_AsyncOneDoesNot()
    {
        await using var pools = new PostgresDatabase(database.ConnectionString);

        Assert.Equal("on", await ShowAsync(pools.DataSource, "synchronous_commit"));
        Assert.Equal("off", await ShowAsync(pools.AsyncCommitDataSource, "synchronous_commit"));
    }

    [Fact]
    public async Task AsyncCommitDataSource_ConnectionStringWithServerOptions_KeepsThemBesideItsOwn()
    {
        var withOptions = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Options = "-c statement_timeout=4321" }.ConnectionString;
        await using var pools = new PostgresDatabase(withOptions);

        Assert.Equal("4321ms", await ShowAsync(pools.DataSource, "statement_timeout"));
        Assert.Equal("4321ms", await ShowAsync(pools.AsyncCommitDataSource, "statement_timeout"));
        Assert.Equal("off", await ShowAsync(pools.AsyncCommitDataSource, "synchronous_commit"));
    }

    [Fact]
    public async Task UnpooledConnection_ListeningAndDisposed_LeavesNoListenerOnPooledConnections()
    {
        await using var pools = new PostgresDatabase(database.ConnectionString);
        await using (var listener = await pools.OpenUnpooledConnectionAsync(CancellationToken.None))
        {
            await using var listen = new NpgsqlCommand("LISTEN webhooks_test_channel", listener);
            await listen.ExecuteNonQueryAsync();
            Assert.Equal(1L, await CountListenersAsync(pools.DataSource));
        }

        // Pooled connections are not reset on return (NoResetOnClose): a LISTEN made on one would outlive its user.
        await Poll.UntilAsync(async () => await CountListenersAsync(pools.DataSource) == 0,
            "the disposed listener's session ended", TimeSpan.FromSeconds(10));
    }

    private static async Task<string?> ShowAsync(NpgsqlDataSource source, string setting)
    {
        await using var command = source.CreateCommand($"SHOW {setting}");
        return (string?)await command.ExecuteScalarAsync();
    }

    // Sessions of this database that listen on anything (pg_listening_channels only sees its own session).
    private async Task<long> CountListenersAsync(NpgsqlDataSource source)
    {
        await using var command = source.CreateCommand("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = @database AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'
            """);
        command.Parameters.AddWithValue("database", database.Name);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
