using System.Diagnostics;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

/// <summary>WatchEndpointStates through the real gateway: the current states first, then the counters move in the
/// stream as deliveries happen; fifty watchers cost the grains no more calls than one.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WatchEndpointStatesTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task AWatcher_GetsTheCurrentStates_ThenSeesTheCountersMoveWithinASecond()
    {
        var (type, endpoints) = await EndpointsAsync("/watch", 2);
        using var watch = EndpointsApi.WatchEndpointStates(new WatchEndpointStatesRequest { EndpointIds = { endpoints } });
        var first = new[] { await NextAsync(watch), await NextAsync(watch) };
        Assert.Equal(endpoints.Order(StringComparer.Ordinal), first.Select(s => s.EndpointId).Order(StringComparer.Ordinal));
        Assert.All(first, s => Assert.Equal(0, s.Delivered));

        for (var i = 0; i < 3; i++)
        {
            await EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { ObjectType = type, Event = "created" } });
        }

        await Receiver.WaitForAsync("/watch", 6);
        var arrived = Stopwatch.StartNew();
        var delivered = new Dictionary<string, long>(StringComparer.Ordinal);
        while (endpoints.Any(e => delivered.GetValueOrDefault(e) < 3))
        {
            var state = await NextAsync(watch);
            delivered[state.EndpointId] = state.Delivered;
        }

        Assert.True(arrived.Elapsed < TimeSpan.FromSeconds(1), $"the stream showed the deliveries {arrived.Elapsed.TotalMilliseconds:0} ms after they arrived");
    }

    [Fact]
    public async Task FiftyWatchers_CostTheGrainsNoMoreCallsThanOne()
    {
        var (type, endpoints) = await EndpointsAsync("/fifty", 2);
        var watches = new List<AsyncServerStreamingCall<EndpointState>>();
        try
        {
            watches.Add(EndpointsApi.WatchEndpointStates(new WatchEndpointStatesRequest { EndpointIds = { endpoints } }));
            await NextAsync(watches[0]);
            await NextAsync(watches[0]);
            var statusReads = StatusReads(endpoints);
            var subscriptions = GrainCallCounter.Of("IEndpointStateHubGrain.SubscribeAsync");

            for (var i = 1; i < 50; i++)
            {
                watches.Add(EndpointsApi.WatchEndpointStates(new WatchEndpointStatesRequest { EndpointIds = { endpoints } }));
            }

            // Every watcher gets the current states (from what the gateway already holds), then the changes.
            foreach (var watch in watches.Skip(1))
            {
                await NextAsync(watch);
                await NextAsync(watch);
            }

            for (var i = 0; i < 2; i++)
            {
                await EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { ObjectType = type, Event = "created" } });
            }

            await Task.WhenAll(watches.Select(async watch =>
            {
                var delivered = new Dictionary<string, long>(StringComparer.Ordinal);
                while (endpoints.Any(e => delivered.GetValueOrDefault(e) < 2))
                {
                    var state = await NextAsync(watch);
                    delivered[state.EndpointId] = state.Delivered;
                }
            }));

            Assert.Equal(statusReads, StatusReads(endpoints));
            // Renewals (one per silo every ten seconds) may fall in; one per watcher would be 49 at least.
            Assert.InRange(GrainCallCounter.Of("IEndpointStateHubGrain.SubscribeAsync") - subscriptions, 0, 6);
        }
        finally
        {
            watches.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public async Task WatchingAnEndpointThatDoesNotExist_IsNotFound()
    {
        using var watch = EndpointsApi.WatchEndpointStates(new WatchEndpointStatesRequest { EndpointIds = { $"missing-{Prefix}" } });

        var ex = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    private static long StatusReads(List<string> endpoints) => endpoints.Sum(e => GrainCallCounter.Of("IEndpointGrain.GetStatusAsync", e));

    private static async Task<EndpointState> NextAsync(AsyncServerStreamingCall<EndpointState> watch)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await watch.ResponseStream.MoveNext(deadline.Token), "the stream ended");
        return watch.ResponseStream.Current;
    }

    private async Task<(string Type, List<string> Endpoints)> EndpointsAsync(string path, int count)
    {
        var type = $"w{Prefix}{path.Trim('/')}.device";
        var endpoints = new List<string>();
        for (var i = 0; i < count; i++)
        {
            endpoints.Add((await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
            {
                Endpoint = new Endpoint { Name = $"e{i}", Url = $"{Receiver.Url}{path}" },
            })).Id);
        }

        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoints } },
        });
        return (type, endpoints);
    }
}
