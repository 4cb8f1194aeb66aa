using Npgsql;

namespace Webhooks.Postgres;

/// <summary>The silo's connection pools to the durable mode's database, shared by our own stores (the Orleans
/// providers keep their own).</summary>
/// <remarks>Two pools, one per kind of write. <see cref="DataSource"/> commits durably: what a caller is told is
/// stored (an accepted publish, a delivery admitted before its stream message is acknowledged) is on disk.
/// <see cref="AsyncCommitDataSource"/> commits without waiting for the WAL flush (synchronous_commit = off), for
/// writes whose loss in a crash of the database server (not of a silo, and not a clean restart) only repeats work:
/// queue reads and acknowledgements (the message is read again), delivery outcomes (the delivery is sent again).
/// PostgreSQL writes WAL in order, so a durable commit also makes every earlier asynchronous one durable, and the
/// server flushes them within three wal_writer_delay (600 ms by default) anyway.</remarks>
public sealed class PostgresDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(Pooled(connectionString, asyncCommit: false));

    public NpgsqlDataSource AsyncCommitDataSource { get; } = NpgsqlDataSource.Create(Pooled(connectionString, asyncCommit: true));

    /// <summary>A connection outside the pools, for session state that must not outlive it in pooled connections
    /// (LISTEN); disposing it closes it.</summary>
    public async Task<NpgsqlConnection> OpenUnpooledConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await AsyncCommitDataSource.DisposeAsync();
    }

    private static string Pooled(string connectionString, bool asyncCommit)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The same few statements run thousands of times a second, mostly with small batches at steady load:
        // preparing them once per connection saves the parse and plan of every execution. An explicit setting in
        // the connection string wins.
        if (builder.MaxAutoPrepare <= 0)
        {
            builder.MaxAutoPrepare = 32;
        }

        builder.AutoPrepareMinUsages = 2;

        // A pooled connection is opened for every batch, read and acknowledgement. Resetting it on return costs the
        // server six statements, parsed afresh each time (about 10,000 sets per benchmark run); nothing sent on these
        // connections changes session state (LISTEN has a connection of its own, advisory locks are
        // transaction-scoped).
        builder.NoResetOnClose = true;
        if (asyncCommit)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? "-c synchronous_commit=off" : builder.Options + " -c synchronous_commit=off";
        }

        return builder.ConnectionString;
    }
}
