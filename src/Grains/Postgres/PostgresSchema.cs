using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Webhooks.Postgres;

/// <summary>Creates or upgrades the durable mode's PostgreSQL schema: the tables and OrleansQuery entries the Orleans
/// ADO.NET clustering, grain storage and reminder providers need, then our own tables. Scripts are embedded
/// resources applied in name order, each at most once, recorded in <c>webhooks_schema_migrations</c>.</summary>
public static class PostgresSchema
{
    public const string MigrationsTable = "webhooks_schema_migrations";

    // Silos starting together all call ApplyAsync: the transaction-scoped advisory lock makes the later ones wait
    // and then find everything applied. Any constant works if every version uses the same one; this is "Webhooks"
    // in ASCII.
    private const long MigrationLockKey = 0x576562686F6F6B73;

    private const string ResourcePrefix = "Webhooks.Postgres.Sql.";

    /// <summary>The embedded scripts in the order they are applied.</summary>
    public static IReadOnlyList<PostgresSchemaScript> Scripts { get; } = LoadScripts();

    /// <summary>Applies the scripts not applied yet, all in one transaction.</summary>
    /// <returns>The names of the scripts this call applied (empty when the schema was up to date).</returns>
    /// <exception cref="InvalidOperationException">An applied script has changed since it was applied.</exception>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await ApplyAsync(dataSource, cancellationToken);
    }

    /// <inheritdoc cref="ApplyAsync(string, CancellationToken)"/>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {MigrationsTable}
            (
                name       text        NOT NULL PRIMARY KEY,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken);

        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken);
        var appliedNow = new List<string>();
        foreach (var script in Scripts)
        {
            if (applied.TryGetValue(script.Name, out var checksum))
            {
                if (!string.Equals(checksum, script.Checksum, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Schema script {script.Name} was applied with checksum {checksum} but is now {script.Checksum}. " +
                        "Applied scripts must not change: put the change in a new script.");
                }

                continue;
            }

            await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
            await using (var record = new NpgsqlCommand($"INSERT INTO {MigrationsTable} (name, checksum) VALUES (@name, @checksum)", connection, transaction))
            {
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("checksum", script.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            appliedNow.Add(script.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        return appliedNow;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Dictionary<string, string>> ReadAppliedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT name, checksum FROM {MigrationsTable}", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetString(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static PostgresSchemaScript[] LoadScripts()
    {
        var assembly = typeof(PostgresSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => Load(assembly, name))
            .ToArray();
    }

    private static PostgresSchemaScript Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded schema script {resourceName} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // A checkout with CRLF line endings must not look like a changed script.
        var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new PostgresSchemaScript(resourceName[ResourcePrefix.Length..], sql, checksum);
    }
}
