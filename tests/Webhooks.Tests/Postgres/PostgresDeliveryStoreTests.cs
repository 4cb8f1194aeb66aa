using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>The durable delivery store: one delivery per (event, webhook, endpoint), pending ones read back in
/// order a window at a time, every attempt kept, finished ones pruned by age.</summary>
public sealed class PostgresDeliveryStoreTests : IAsyncLifetime
{
    private readonly DeliveryOptions _options = new() { RetentionBatchSize = 2, Retention = TimeSpan.FromHours(1) };
    private PostgresServer.Database _database = null!;
    private PostgresDatabase _pool = null!;
    private PostgresDeliveryStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(_database.ConnectionString);
        _pool = new PostgresDatabase(_database.ConnectionString);
        _store = new PostgresDeliveryStore(_pool, Options.Create(_options), NullLogger<PostgresDeliveryStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _pool.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Add_SameEventAndWebhookAgain_IsSkipped_EvenUnderAnotherSequence()
    {
        var added = await _store.AddAsync([Record("ep", 1, "e1"), Record("ep", 2, "e2")]);
        Assert.Equal([1L, 2L], added.Select(r => r.Sequence));

        // A redelivered stream message: same event and webhook, new sequence; plus one new event.
        var again = await _store.AddAsync([Record("ep", 3, "e1"), Record("ep", 4, "e3")]);

        Assert.Equal([4L], again.Select(r => r.Sequence));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries"));
        // Another endpoint may get the same event.
        Assert.Single(await _store.AddAsync([Record("other", 1, "e1")]));
    }

    [Fact]
    public async Task Add_FromManyConcurrentCallers_CommitsThemTogether()
    {
        var writes = Enumerable.Range(0, 200).Select(i => _store.AddAsync([Record($"ep{i % 10}", i, $"e{i}")])).ToList();
        var results = await Task.WhenAll(writes);

        Assert.All(results, r => Assert.Single(r));
        Assert.Equal(200L, await ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries"));
    }

    [Fact]
    public async Task Add_ThatTheDatabaseRefuses_FailsOnlyItsOwnCaller_NotThoseCommittedWithIt()
    {
        // PostgreSQL text cannot hold NUL: a real refusal by the database of one write among many.
        var writes = Enumerable.Range(0, 100)
            .Select(i => _store.AddAsync([Record($"ep{i % 10}", i, $"e{i}") with { Body = i == 50 ? "a\0b" : "{}" }]))
            .ToList();

        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => writes[50]);
        Assert.All(await Task.WhenAll(writes.Where((_, i) => i != 50)), r => Assert.Single(r));
        Assert.Equal(99L, await ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries"));
    }

    [Fact]
    public async Task Query_FiltersByObjectTypeAndTimeRange_ForOneEndpointAndAcross()
    {
        // Record(…) is created at 12:00:00 plus its sequence in seconds.
        await _store.AddAsync([.. Enumerable.Range(1, 6).Select(i => Record($"ep{i % 2}", i, $"e{i}") with { ObjectType = i <= 3 ? "dcim.device" : "ipam.prefix" })]);
        var noon = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        var prefixes = await _store.QueryAsync(new DeliveryQuery { ObjectType = "ipam.prefix" });
        Assert.Equal([6L, 5L, 4L], prefixes.Items.Select(r => r.Sequence));
        var window = await _store.QueryAsync(new DeliveryQuery { CreatedAfter = noon.AddSeconds(2), CreatedBefore = noon.AddSeconds(5) });
        Assert.Equal([4L, 3L, 2L], window.Items.Select(r => r.Sequence));
        var oneEndpoint = await _store.QueryAsync(new DeliveryQuery { EndpointId = "ep1", ObjectType = "dcim.device", CreatedAfter = noon.AddSeconds(2) });
        Assert.Equal([3L], oneEndpoint.Items.Select(r => r.Sequence));
    }

    [Fact]
    public async Task LoadPending_StopsAtTheBytesBudget_TakingTheDeliveryThatReachesIt()
    {
        await _store.AddAsync([.. Enumerable.Range(1, 5).Select(i => Record("ep", i, $"e{i}") with { Body = new string('x', 100_000) })]);
        var one = DeliverySize.Request(Record("ep", 1, "e1") with { Body = new string('x', 100_000) });

        Assert.Equal([1L, 2L, 3L], (await _store.LoadPendingAsync("ep", 0, long.MaxValue, 10, (2 * one) + 1)).Select(r => r.Sequence));
        Assert.Equal([1L], (await _store.LoadPendingAsync("ep", 0, long.MaxValue, 10, 1)).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Query_EndsAPageAtAboutFourMegabytes_WithATokenForTheRest()
    {
        // A million characters each: four fill a page, whatever the page size asked for.
        await _store.AddAsync([.. Enumerable.Range(1, 10).Select(i => Record("ep", i, $"e{i}") with { Body = new string('x', 1_000_000) })]);

        var first = await _store.QueryAsync(new DeliveryQuery { EndpointId = "ep", PageSize = 100 });
        Assert.InRange(first.Items.Length, 1, 5);
        Assert.NotNull(first.NextPageToken);
        var seen = first.Items.Select(r => r.Sequence).ToList();
        for (var token = first.NextPageToken; token is not null;)
        {
            var page = await _store.QueryAsync(new DeliveryQuery { EndpointId = "ep", PageSize = 100, PageToken = token });
            seen.AddRange(page.Items.Select(r => r.Sequence));
            token = page.NextPageToken;
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i).Reverse(), seen);
    }

    [Fact]
    public async Task LoadPending_ReturnsOnlyPendingBetweenTheSequences_InOrder_WithTheirAttempts()
    {
        await _store.AddAsync([.. Enumerable.Range(1, 6).Select(i => Record("ep", i, $"e{i}"))]);
        var attempt = new DeliveryAttempt
        {
            Time = DateTimeOffset.UtcNow,
            Duration = TimeSpan.FromMilliseconds(12),
            StatusCode = 503,
            ResponseHeaders = [new() { Name = "Retry-After", Value = "30" }],
            ResponseBody = "busy",
        };
        await _store.UpdateAsync(Record("ep", 2, "e2") with { Status = DeliveryStatus.Succeeded, Attempts = [attempt with { StatusCode = 200 }] });
        await _store.UpdateAsync(Record("ep", 3, "e3") with { Attempts = [attempt], NextAttemptAt = DateTimeOffset.UtcNow.AddMinutes(5) });

        var window = await _store.LoadPendingAsync("ep", 0, long.MaxValue, 3, long.MaxValue);
        Assert.Equal([1L, 3L, 4L], window.Select(r => r.Sequence));
        var retrying = window[1];
        Assert.Equal(503, Assert.Single(retrying.Attempts).StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(12), retrying.Attempts[0].Duration);
        Assert.Equal("busy", retrying.Attempts[0].ResponseBody);
        Assert.Equal(("Retry-After", "30"), (retrying.Attempts[0].ResponseHeaders[0].Name, retrying.Attempts[0].ResponseHeaders[0].Value));
        Assert.NotNull(retrying.NextAttemptAt);
        Assert.Empty(window[0].Attempts);

        Assert.Equal([5L, 6L], (await _store.LoadPendingAsync("ep", 4, long.MaxValue, 3, long.MaxValue)).Select(r => r.Sequence));
        Assert.Equal([5L], (await _store.LoadPendingAsync("ep", 4, 6, 3, long.MaxValue)).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Prune_DeletesFinishedDeliveriesOlderThanRetention_InBatches_AndKeepsPendingOnes()
    {
        await _store.AddAsync([.. Enumerable.Range(1, 5).Select(i => Record("ep", i, $"e{i}"))]);
        var attempt = new DeliveryAttempt { Time = DateTimeOffset.UtcNow, Duration = TimeSpan.FromMilliseconds(5), StatusCode = 204 };
        foreach (var i in new[] { 1, 2, 3 })
        {
            await _store.UpdateAsync(Record("ep", i, $"e{i}") with { Status = DeliveryStatus.Succeeded, Attempts = [attempt] });
        }

        await _store.UpdateAsync(Record("ep", 4, "e4") with { Status = DeliveryStatus.Failed, Attempts = [attempt with { StatusCode = 500 }] });

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var retention = new PostgresDeliveryRetention(_pool, Options.Create(_options), clock, NullLogger<PostgresDeliveryRetention>.Instance);
        Assert.Equal(0, await retention.PruneAsync(default));

        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(4, await retention.PruneAsync(default));

        Assert.Equal(5L, await ScalarAsync<long>("SELECT sequence FROM webhooks_deliveries"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM webhooks_delivery_attempts"));
    }

    private static DeliveryRecord Record(string endpointId, long sequence, string eventId) => new()
    {
        Id = DeliveryId.Format(endpointId, sequence),
        EndpointId = endpointId,
        Sequence = sequence,
        WebhookId = "wh",
        EventId = eventId,
        ObjectType = "dcim.device",
        Event = "created",
        Status = DeliveryStatus.Pending,
        HttpMethod = "POST",
        Url = "http://127.0.0.1:9/hook",
        ContentType = "application/json",
        Headers = [new() { Name = "X-Test", Value = "1" }],
        Body = "{}",
        CreatedAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero).AddSeconds(sequence),
    };

    private async Task<T> ScalarAsync<T>(string sql) => (await _database.ScalarAsync<T>(sql))!;
}
