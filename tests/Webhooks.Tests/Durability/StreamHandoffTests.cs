using Npgsql;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres, three silos, one stream queue: the queue's pulling agent reads a message older
/// than one its cache already holds while a consumer is still being handed the newer one. That is what happens when
/// a queue changes owner (the previous owner releases what it held after the new owner has read newer messages), when
/// concurrent enqueues commit out of id order, and when a message becomes visible again after its visibility timeout.
/// Orleans' queue cache assumes tokens only grow; given an older one it acknowledged the older message without
/// delivering it (a QueueCacheMissException in the agent's log). Every accepted event must still be delivered.</summary>
/// <remarks>The test makes the order happen on purpose, in the database: a trigger hides the older messages as they
/// are enqueued (the previous owner holding them), a lock on the deliveries table keeps the newer message's consumer
/// mid-delivery (its endpoint's write waits), and an update makes the older messages visible again (the release).</remarks>
[Trait("Category", "Durability")]
public sealed class StreamHandoffTests : DurableTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OlderMessageReadAfterANewerOneStillInDelivery_IsDeliveredNotAcknowledgedAway()
    {
        var settings = new Dictionary<string, string> { ["Streams:QueueCount"] = "1" };
        await using var cluster = await Durable.StartAsync(3, settings);
        var scenario = new Scenario(cluster.Client);
        var x = scenario.Type("x");
        var y = scenario.Type("y");
        await scenario.WebhookAsync(x, await scenario.EndpointAsync($"{Receiver.Url}/x"), d => d with { BodyTemplate = "{{ data.n }}" });
        await scenario.WebhookAsync(y, await scenario.EndpointAsync($"{Receiver.Url}/y"), d => d with { BodyTemplate = "{{ data.n }}" });

        // Both streams known to the agent, and their consumers caught up (cursors at the end of the cache).
        await scenario.PublishAsync(Scenario.Event(x, "created", new { n = "x0" }), Scenario.Event(y, "created", new { n = "y0" }));
        await Receiver.WaitForAsync("/x", 1);
        await Receiver.WaitForAsync("/y", 1);
        await Poll.UntilAsync(async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 1") == 0,
            "the warm-up deliveries are settled");

        // The older messages: held back as a previous owner would hold them.
        await ExecuteAsync("""
            CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN NEW.visible_on := now() + interval '1 hour'; RETURN NEW; END $$;
            CREATE TRIGGER test_hold BEFORE INSERT ON webhooks_event_queue FOR EACH ROW EXECUTE FUNCTION test_hold();
            """);
        await scenario.PublishAsync(Scenario.Event(y, "created", new { n = "y1" }), Scenario.Event(y, "created", new { n = "y2" }));
        await ExecuteAsync("DROP TRIGGER test_hold ON webhooks_event_queue");
        var held = await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_event_queue WHERE visible_on > now() + interval '10 minutes'");
        Assert.True(held > 0, "the older messages are held back");

        // The newer message's consumer stays mid-delivery while its endpoint cannot write.
        await using var locker = new NpgsqlConnection(Durable.ConnectionString);
        await locker.OpenAsync();
        await using var lockTransaction = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE webhooks_deliveries IN SHARE MODE", locker, lockTransaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await scenario.PublishAsync(Scenario.Event(x, "created", new { n = "x1" }));
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO webhooks_deliveries%'") > 0,
            "the newer message's delivery waits for the lock", Deadline);

        // The release: the older messages become visible and the agent reads them after the newer one.
        await ExecuteAsync("UPDATE webhooks_event_queue SET visible_on = now() WHERE visible_on > now() + interval '10 minutes'");
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_event_queue WHERE dequeue_count = 0") == 0,
            "the agent read the released messages", Deadline);

        await lockTransaction.CommitAsync();

        var ys = await Receiver.WaitForAsync("/y", 3, Deadline);
        Assert.Equal(["y0", "y1", "y2"], ys.Select(r => r.BodyText).Order(StringComparer.Ordinal));
        Assert.Equal(["x0", "x1"], (await Receiver.WaitForAsync("/x", 2, Deadline)).Select(r => r.BodyText).Order(StringComparer.Ordinal));
        Assert.Equal(5, await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Durable.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
