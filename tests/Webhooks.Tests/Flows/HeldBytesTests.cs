using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Flows;

/// <summary>A cluster whose endpoints may hold 4 MiB of deliveries (the count bounds stay at their defaults).</summary>
public sealed class HeldBytesClusterFixture : ClusterFixture
{
    public const long MaxHeldBytes = 4 * 1024 * 1024;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["Delivery:MaxHeldBytes"] = MaxHeldBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Delivery:EnqueueWait"] = "00:00:00.500",
    };
}

/// <summary>Large events to a paused endpoint in memory mode: what it holds stays within its bytes bound however
/// many arrive (the rest wait upstream, as with the count bounds), and everything is delivered, in order, once it
/// resumes.</summary>
public sealed class HeldBytesTests(HeldBytesClusterFixture fixture) : IClassFixture<HeldBytesClusterFixture>, IAsyncLifetime
{
    private const int Events = 40;
    private const int DataChars = 500_000;

    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task APausedEndpoint_HoldsLargeDeliveriesUpToItsBytes_AndSendsThemAllWhenResumed()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/large");
        await _scenario.WebhookAsync(type, endpoint);
        var grain = fixture.Client.GetGrain<IEndpointGrain>(endpoint);
        await grain.PauseAsync();

        var blob = new string('x', DataChars);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++)
            {
                await _scenario.PublishAsync([Scenario.Event(type, "created", new { seq = i, blob })]);
            }
        });

        // Each delivery carries the event (about 1 MB in memory): four fit in 4 MiB, a fifth is always let in. Once a
        // caller waits for room the endpoint is at its bound, and it holds no more while it stays paused.
        var full = await Poll.ForAsync(() => grain.GetStatusAsync(), s => s.WaitingEnqueuers > 0, "a caller waits for room at the paused endpoint");
        Assert.InRange(full.Queued, 3, 5);
        await Poll.UntilAsync(async () => (await grain.GetStatusAsync()).WaitingEnqueuers > 0, "callers are held back again");
        Assert.InRange((await grain.GetStatusAsync()).Queued, 3, 5);
        await grain.ResumeAsync();
        var arrived = await _receiver.WaitForAsync("/large", Events, TimeSpan.FromSeconds(120));
        await publishing;
        Assert.Equal(Enumerable.Range(0, Events), arrived.Select(r => r.Json().GetProperty("data").GetProperty("seq").GetInt32()));
    }
}
