using System.Collections.Concurrent;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>PostgreSQL goes away under load: publishers are told UNAVAILABLE, never a false OK, and everything
/// accepted is delivered once it is back. Stops and starts the local server, so it needs root, as CI has.</summary>
public sealed class PostgresRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private DurableCluster _durable = null!;
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _durable = await DurableCluster.CreateAsync();
        _receiver = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _durable.DisposeAsync();
    }

    [Fact]
    public async Task PostgresRestartUnderLoad_PublishesFailUnavailableWhileDown_AndEveryAcceptedEventIsDelivered()
    {
        await using var cluster = await _durable.StartAsync();
        await using var gateway = await GatewayServer.StartAsync(cluster.Client);
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        var endpoint = await scenario.EndpointAsync($"{_receiver.Url}/pg", d => d with { MaxInFlight = 4 });
        await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ event_id }}" });
        var events = new Api.V1.Events.EventsClient(gateway.Channel);

        var accepted = new ConcurrentBag<string>();
        var failures = new ConcurrentDictionary<StatusCode, int>();
        var okWhileDown = 0;
        var down = false;
        using var stop = new CancellationTokenSource();
        var publishers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"pg-{p}-{i}";
                var wasDown = Volatile.Read(ref down);
                try
                {
                    await events.PublishAsync(
                        new PublishRequest { Event = new ObjectEvent { EventId = id, ObjectType = type, Event = "created" } },
                        deadline: DateTime.UtcNow.AddSeconds(15));
                    accepted.Add(id);
                    if (wasDown && Volatile.Read(ref down))
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
        Volatile.Write(ref down, true);
        await PostgresServer.StopLocalServerAsync();
        var acceptedAtStop = accepted.Count;
        try
        {
            await Poll.UntilAsync(() => failures.GetValueOrDefault(StatusCode.Unavailable) >= 20, "publishes fail with UNAVAILABLE while PostgreSQL is down");
        }
        finally
        {
            Volatile.Write(ref down, false);
            await PostgresServer.StartLocalServerAsync();
        }

        var acceptedWhileDown = accepted.Count - acceptedAtStop;
        var before = accepted.Count;
        await Poll.UntilAsync(() => accepted.Count >= before + 200, "publishing succeeds again after PostgreSQL is back", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(publishers);

        output.WriteLine($"accepted {accepted.Count} (of which {acceptedWhileDown} around the stop), failures: {string.Join(", ", failures.Select(f => $"{f.Key}={f.Value}"))}");
        Assert.Equal(0, okWhileDown);
        Assert.All(failures.Keys, code => Assert.Equal(StatusCode.Unavailable, code));

        var expected = accepted.ToHashSet();
        await Poll.UntilAsync(
            () => expected.IsSubsetOf(_receiver.For("/pg").Select(r => r.BodyText)),
            $"all {expected.Count} accepted events are delivered", TimeSpan.FromSeconds(120));
        var arrivals = _receiver.For("/pg").Select(r => r.BodyText).ToList();
        output.WriteLine($"delivered {arrivals.Distinct().Count()} distinct, {arrivals.Count - arrivals.Distinct().Count()} duplicates");
    }
}
