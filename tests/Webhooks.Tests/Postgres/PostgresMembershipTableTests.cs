using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>Drives Orleans' own ADO.NET membership table against our scripts, including the cases a running test
/// cluster never reaches (stale versions, defunct silo cleanup).</summary>
public sealed class PostgresMembershipTableTests : IAsyncLifetime
{
    private readonly string clusterId = $"membership-{Guid.NewGuid():N}";
    private readonly DateTime now = TruncateToMilliseconds(DateTime.UtcNow);
    private PostgresServer.Database database = null!;
    private AdoNetClusteringTable table = null!;

    public async Task InitializeAsync()
    {
        database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        table = await CreateTableAsync();
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Rows_AreInsertedAndUpdated_OnlyAgainstTheCurrentTableVersion()
    {
        var initial = await table.ReadAllAsync();
        Assert.Empty(initial.Members);
        var silo = Entry(11111, SiloStatus.Joining, now, now);

        Assert.True(await table.InsertRowAsync(silo, initial.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Joining, now, now), initial.Version.Next()));

        var inserted = await table.ReadAllAsync();
        Assert.Equal(initial.Version.Version + 1, inserted.Version.Version);
        Assert.False(await table.InsertRowAsync(silo, inserted.Version.Next()));
        var (stored, etag) = Assert.Single(inserted.Members);
        Assert.Equal(silo.SiloAddress, stored.SiloAddress);
        Assert.Equal(silo.StartTime, stored.StartTime);
        Assert.Equal("silo-11111", stored.SiloName);

        silo.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(silo, etag, inserted.Version.Next()));
        Assert.False(await table.UpdateRowAsync(silo, etag, inserted.Version.Next()));

        silo.IAmAliveTime = now.AddSeconds(30);
        await table.UpdateIAmAliveAsync(silo);
        var row = await table.ReadRowAsync(silo.SiloAddress);
        var (updated, _) = Assert.Single(row.Members);
        Assert.Equal(SiloStatus.Active, updated.Status);
        Assert.Equal(now.AddSeconds(30), updated.IAmAliveTime);
        Assert.Equal(initial.Version.Version + 2, row.Version.Version);

        var missing = await table.ReadRowAsync(Entry(1, SiloStatus.Active, now, now).SiloAddress);
        Assert.Empty(missing.Members);
        Assert.Equal(row.Version, missing.Version);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOnlyDeadSilosUnchangedSinceTheCutoff()
    {
        var old = now.AddHours(-2);
        var cutoff = now.AddHours(-1);
        var voter = SiloAddress.New(IPAddress.Loopback, 9999, 1);
        await AddAsync(Entry(1, SiloStatus.Dead, old, old), suspectTimes: []);
        await AddAsync(Entry(2, SiloStatus.Dead, old, old), suspectTimes: [Tuple.Create(voter, old)]);
        await AddAsync(Entry(3, SiloStatus.Dead, old, old), suspectTimes: [Tuple.Create(voter, now.AddMinutes(-10))]);
        await AddAsync(Entry(4, SiloStatus.Dead, old, now));
        await AddAsync(Entry(5, SiloStatus.Active, old, old));
        // Orleans writes an empty vote list as '' and reads it back as no list: the cleanup must still match.
        Assert.Equal("", await ScalarAsync<string>("SELECT SuspectTimes FROM OrleansMembershipTable WHERE Port = 1"));

        await table.CleanupDefunctSiloEntriesAsync(cutoff);

        var remaining = await RemainingPortsAsync();
        Assert.Equal([3, 4, 5], remaining);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_WithoutTheOptionalQuery_FallsBackToTheRequiredOne()
    {
        await ScalarAsync<int>("DELETE FROM OrleansQuery WHERE QueryKey = 'CleanupDefunctSiloEntryKey' RETURNING 1");
        var fallback = await CreateTableAsync();
        var old = now.AddHours(-2);
        await AddAsync(Entry(1, SiloStatus.Dead, old, old));
        await AddAsync(Entry(2, SiloStatus.Dead, old, now));
        await AddAsync(Entry(3, SiloStatus.Active, old, old));

        await fallback.CleanupDefunctSiloEntriesAsync(now.AddHours(-1));

        var remaining = await RemainingPortsAsync();
        Assert.Equal([2, 3], remaining);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_RemovesTheClusterAndItsSilos()
    {
        await AddAsync(Entry(1, SiloStatus.Active, now, now));

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM OrleansMembershipVersionTable"));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM OrleansMembershipTable"));
    }

    private async Task<AdoNetClusteringTable> CreateTableAsync()
    {
        var created = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "membership-tests" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresSiloConfigurator.Invariant, ConnectionString = database.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await created.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return created;
    }

    private async Task AddAsync(MembershipEntry entry, List<Tuple<SiloAddress, DateTime>>? suspectTimes = null)
    {
        var before = await table.ReadAllAsync();
        Assert.True(await table.InsertRowAsync(entry, before.Version.Next()));
        if (suspectTimes is not null)
        {
            var inserted = await table.ReadAllAsync();
            entry.SuspectTimes = suspectTimes;
            Assert.True(await table.UpdateRowAsync(entry, inserted.Version.VersionEtag, inserted.Version.Next()));
        }
    }

    private async Task<int[]> RemainingPortsAsync() =>
        (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order().ToArray();

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime startTime, DateTime iAmAliveTime) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1),
        SiloName = $"silo-{port}",
        HostName = "test-host",
        Status = status,
        ProxyPort = 30000 + port,
        StartTime = startTime,
        IAmAliveTime = iAmAliveTime,
    };

    // PostgreSQL keeps microseconds and Orleans' vote format milliseconds: compare times both can hold.
    private static DateTime TruncateToMilliseconds(DateTime time) =>
        new(time.Ticks - time.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}
