using System.Collections.Concurrent;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>PostgreSQL goes away under load: publishers are told UNAVAILABLE, never a false OK, and everything
/// accepted is delivered once it is back. Stops and starts the local server, so it needs root, as CI has.</summary>
public sealed class PostgresRestartTests(ITestOutputHelper output) : DurableTest
{

    [Fact]
    public async Task PostgresRestartUnderLoad_PublishesFailUnavailableWhileDown_AndEveryAcceptedEventIsDelivered()
    {
        await using var cluster = await Durable.StartAsync();
        await using var gateway = await GatewayServer.StartAsync(cluster.Client);
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        var endpoint = await scenario.EndpointAsync($"{Receiver.Url}/pg", d => d with { MaxInFlight = 4 });
        await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ event_id }}" });
        var events = new Api.V1.Events.EventsClient(gateway.Channel);

        var accepted = new ConcurrentBag<string>();
        var failures = new ConcurrentDictionary<StatusCode, int>();
        // A call that starts after the server has stopped and ends before it is started again can only succeed
        // by lying: nothing can commit in between.
        var okWhileDown = 0;
        long downSince = long.MaxValue, downUntil = long.MaxValue;
        using var stop = new CancellationTokenSource();
        var publishers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"pg-{p}-{i}";
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await events.PublishAsync(
                        new PublishRequest { Event = new ObjectEvent { EventId = id, ObjectType = type, Event = "created" } },
                        deadline: DateTime.UtcNow.AddSeconds(15));
                    accepted.Add(id);
                    var ended = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (started > Volatile.Read(ref downSince) && ended < Volatile.Read(ref downUntil))
                    {
                        Interlocked.Increment(ref okWhileDown);
                    }
                }
                catch (RpcException e)
                {
                    failures.AddOrUpdate(e.StatusCode, 1, (_, n) => n + 1);
                    await Task.Delay(20);
                }
            }
        })).ToArray();

        await Poll.UntilAsync(() => accepted.Count >= 200, "200 events are accepted before the outage");
        await PostgresServer.StopLocalServerAsync();
        Volatile.Write(ref downSince, System.Diagnostics.Stopwatch.GetTimestamp());
        var acceptedAtStop = accepted.Count;
        var acceptedWhileDown = 0;
        try
        {
            await Poll.UntilAsync(() => failures.GetValueOrDefault(StatusCode.Unavailable) >= 20, "publishes fail with UNAVAILABLE while PostgreSQL is down");
        }
        finally
        {
            Volatile.Write(ref downUntil, System.Diagnostics.Stopwatch.GetTimestamp());
            acceptedWhileDown = accepted.Count - acceptedAtStop;
            await PostgresServer.StartLocalServerAsync();
        }

        var before = accepted.Count;
        await Poll.UntilAsync(() => accepted.Count >= before + 200, "publishing succeeds again after PostgreSQL is back", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(publishers);

        output.WriteLine($"accepted {accepted.Count} ({acceptedWhileDown} of them answered while it was down, all by calls that began before it stopped), failures: {string.Join(", ", failures.Select(f => $"{f.Key}={f.Value}"))}");
        Assert.Equal(0, okWhileDown);
        Assert.All(failures.Keys, code => Assert.Equal(StatusCode.Unavailable, code));

        var expected = accepted.ToHashSet();
        var delivered = await Poll.ForAsync(
            () => Task.FromResult(Receiver.For("/pg").Select(r => r.BodyText).ToHashSet()),
            arrived => expected.IsSubsetOf(arrived), "every accepted event is delivered", TimeSpan.FromSeconds(120))
            .ContinueWith(async t =>
            {
                if (t.IsFaulted)
                {
                    var arrived = Receiver.For("/pg").Select(r => r.BodyText).ToHashSet();
                    var missing = expected.Except(arrived).ToList();
                    string status;
                    try
                    {
                        status = (await cluster.Client.GetGrain<global::Webhooks.Endpoints.IEndpointGrain>(endpoint).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5))).ToString();
                    }
                    catch (Exception e)
                    {
                        status = e.GetType().Name;
                    }

                    output.WriteLine($"endpoint status {status}; reminders {await Durable.ScalarAsync<long>("SELECT count(*) FROM OrleansRemindersTable")}");
                    Assert.Fail($"{missing.Count} of {expected.Count} accepted events never arrived (e.g. {string.Join(", ", missing.Take(5))}); " +
                        $"deliveries rows {await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries")}, " +
                        $"pending {await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE status = 1")}, " +
                        $"queue rows {await Durable.ScalarAsync<string>("SELECT count(*) || ' max dequeue ' || coalesce(max(dequeue_count), 0) || ' visible ' || count(*) FILTER (WHERE visible_on <= now()) FROM webhooks_event_queue")}, " +
                        $"missing in deliveries table {await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE event_id = ANY(@ids)", ("ids", missing.ToArray()))}");
                }

                return t.Result;
            }).Unwrap();
        Assert.True(expected.IsSubsetOf(delivered));
        var arrivals = Receiver.For("/pg").Select(r => r.BodyText).ToList();
        output.WriteLine($"delivered {arrivals.Distinct().Count()} distinct, {arrivals.Count - arrivals.Distinct().Count()} duplicates");
    }
}
