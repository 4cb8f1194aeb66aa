using Npgsql;

namespace Webhooks.Storage.Postgres;

/// <summary>The silo's connection pool to the durable mode's database, shared by our own stores (the Orleans
/// providers keep their own).</summary>
public sealed class PostgresDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
    {
        // The same few statements run thousands of times a second, mostly with small batches at steady load:
        // preparing them once per connection saves the parse and plan of every execution. An explicit
        // setting in the connection string wins.
        MaxAutoPrepare = new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare is > 0 and var set ? set : 32,
        AutoPrepareMinUsages = 2,
    }.ConnectionString);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
