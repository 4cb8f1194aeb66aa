using System.Collections.Concurrent;
using System.Globalization;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Flows;

public sealed class BackpressureTests(SmallBoundsClusterFixture fixture) : IClassFixture<SmallBoundsClusterFixture>, IAsyncLifetime
{
    private const int BatchSize = 10;
    private const int Events = 600;

    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task StalledReceiver_HoldsPublishersBackWithinBounds_AndDeliversEverythingOnceWhenResumed()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/slow", d => d with { Timeout = TimeSpan.FromMinutes(5) });
        await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.seq }}" });
        _receiver.Stall();

        var accepted = 0;
        var rejections = 0;
        var publisher = Task.Run(async () =>
        {
            var grain = fixture.Client.GetGrain<IObjectTypeGrain>(type);
            for (var start = 0; start < Events; start += BatchSize)
            {
                var batch = Enumerable.Range(start, BatchSize).Select(i => Scenario.Event(type, "created", new { seq = i })).ToArray();
                while (true)
                {
                    try
                    {
                        await grain.PublishAsync([.. batch]);
                        Interlocked.Add(ref accepted, BatchSize);
                        break;
                    }
                    catch (BacklogFullException)
                    {
                        // What RESOURCE_EXHAUSTED means to a publisher: the same events again, later.
                        Interlocked.Increment(ref rejections);
                    }
                }
            }
        });

        await Poll.UntilAsync(() => Volatile.Read(ref rejections) >= 3, "publishers were told to wait three times");
        var status = await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync();
        Assert.InRange(status.Queued + status.InFlight, 1, SmallBoundsClusterFixture.EndpointCapacity);
        Assert.Equal(1, _receiver.StalledCount);
        // Everything accepted is somewhere bounded: the endpoint, one batch in the webhook, the agent's cache
        // and the stream queue. Nothing grows past that while the receiver is stalled.
        var bound = SmallBoundsClusterFixture.EndpointCapacity + BatchSize
            + (SmallBoundsClusterFixture.CacheSize * BatchSize) + SmallBoundsClusterFixture.StreamQueueCapacity + BatchSize;
        Assert.InRange(Volatile.Read(ref accepted), 1, bound);
        Assert.False(publisher.IsCompleted);

        _receiver.Resume();
        await publisher.WaitAsync(TimeSpan.FromSeconds(60));
        var requests = await _receiver.WaitForAsync("/slow", Events, TimeSpan.FromSeconds(60));

        var seqs = requests.Select(r => int.Parse(r.BodyText, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, Events), seqs);
    }
}
