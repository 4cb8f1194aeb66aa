using Npgsql;

namespace Webhooks.Storage.Postgres;

/// <summary>The silo's connection pool to the durable mode's database, shared by our own stores (the Orleans
/// providers keep their own).</summary>
public sealed class PostgresDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
