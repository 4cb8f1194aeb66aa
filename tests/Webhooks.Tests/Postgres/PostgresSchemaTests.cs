using Npgsql;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

public sealed class PostgresSchemaTests : IAsyncLifetime
{
    /// <summary>Every key the Orleans 10.4 ADO.NET clustering, persistence and reminder providers look up.</summary>
    public static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey",
        "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
        "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpsertReminderRowKey",
    ];

    // Everything the scripts can create or change, in a comparable form.
    private const string CatalogSnapshot = """
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
            || ' ' || coalesce(column_default, '') || ' ' || coalesce(generation_expression, '')
        FROM information_schema.columns WHERE table_schema = 'public'
        UNION ALL
        SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL
        SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid))
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'query ' || QueryKey || ' ' || md5(QueryText) FROM OrleansQuery
        UNION ALL
        SELECT 'migration ' || name || ' ' || checksum || ' ' || applied_at::text FROM webhooks_schema_migrations
        ORDER BY 1
        """;

    private PostgresServer.Database database = null!;

    public async Task InitializeAsync() => database = await PostgresServer.CreateDatabaseAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Apply_OnAFreshDatabase_AppliesEveryScriptAndRecordsIt()
    {
        var applied = await PostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Equal(PostgresSchema.Scripts.Select(s => s.Name), applied);
        Assert.Equal(["001_orleans_clustering.sql", "002_orleans_persistence.sql", "003_orleans_reminders.sql"], applied.Take(3));
        var recorded = await ReadAsync("SELECT name || ' ' || checksum FROM webhooks_schema_migrations ORDER BY name");
        Assert.Equal(PostgresSchema.Scripts.Select(s => $"{s.Name} {s.Checksum}"), recorded);

        var keys = await ReadAsync("SELECT QueryKey FROM OrleansQuery");
        Assert.Empty(OrleansQueryKeys.Except(keys));
    }

    [Fact]
    public async Task Apply_Again_ChangesNothing()
    {
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        var before = await ReadAsync(CatalogSnapshot);

        var applied = await PostgresSchema.ApplyAsync(database.ConnectionString);

        Assert.Empty(applied);
        Assert.Equal(before, await ReadAsync(CatalogSnapshot));
    }

    [Fact]
    public async Task Apply_BySilosStartingTogether_AppliesEachScriptOnce()
    {
        var applying = Enumerable.Range(0, 3).Select(_ => PostgresSchema.ApplyAsync(database.ConnectionString)).ToArray();
        var results = await Task.WhenAll(applying);

        Assert.Equal(PostgresSchema.Scripts.Count, results.Sum(r => r.Count));
        Assert.Single(results, r => r.Count > 0);
    }

    [Fact]
    public async Task Scripts_RunAgainByHand_AreIdempotent()
    {
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        var before = await ReadAsync(CatalogSnapshot);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var script in PostgresSchema.Scripts)
        {
            await using var command = new NpgsqlCommand(script.Sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(before, await ReadAsync(CatalogSnapshot));
    }

    [Fact]
    public async Task Apply_WhenAnAppliedScriptChanged_Fails()
    {
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        await ReadAsync("UPDATE webhooks_schema_migrations SET checksum = 'edited' WHERE name = '002_orleans_persistence.sql' RETURNING name");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.ApplyAsync(database.ConnectionString));

        Assert.Contains("002_orleans_persistence.sql", error.Message, StringComparison.Ordinal);
    }

    private async Task<List<string>> ReadAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
