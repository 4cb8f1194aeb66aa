using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints;
using Webhooks.Postgres;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: an endpoint reading its backlog back from the database while new deliveries
/// keep committing. Those cannot be in the read (it stops below every write still being admitted), so once the read
/// has reached the end they are all the store holds: they are sent when it returns, not after a read of their own.
/// Under a steady trickle some delivery commits during nearly every read, and before this, each one after a backlog
/// waited for the next read (seen as the first seconds of every benchmark steady run after fan-out).</summary>
[Trait("Category", "Durability")]
public sealed class BacklogReadTests : DurableTest
{
    private const int QueueCapacity = 20;
    private const int Backlog = 3;
    private const int WrittenDuringRead = 3;

    [Fact]
    public async Task DeliveriesCommittedDuringABacklogRead_AreSentWhenItReturns_WithoutAnotherRead()
    {
        var settings = new Dictionary<string, string> { ["Delivery:QueueCapacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture) };
        await using var cluster = await Durable.StartAsync(1, settings, b => b.AddSiloBuilderConfigurator<HeldReads>());
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        var endpointId = await scenario.EndpointAsync($"{Receiver.Url}/read", d => d with { MaxInFlight = 1 });
        await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = cluster.Client.GetGrain<IEndpointGrain>(endpointId);
        // The silo resolves its store when the first endpoint grain activates.
        var reads = HeldReads.Store ?? throw new InvalidOperationException("the silo did not create the delivery store");

        // Paused: the endpoint holds its window (20) in memory and leaves the rest (3) to the store.
        await endpoint.PauseAsync();
        var n = 0;
        for (; n < QueueCapacity + Backlog; n++)
        {
            await scenario.PublishAsync(Scenario.Event(type, "created", new { n }));
        }

        await Poll.UntilAsync(async () => (await endpoint.GetStatusAsync()).BacklogInStore && reads.Added == QueueCapacity + Backlog,
            $"{QueueCapacity + Backlog} deliveries stored, {Backlog} of them only in the database");

        // From now on every read of the backlog answers only when the test lets it. Sending one at a time, the
        // endpoint reads its backlog once half its window is left.
        reads.Hold();
        await endpoint.ResumeAsync();
        await reads.FirstHeld.WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < WrittenDuringRead; i++, n++)
        {
            await scenario.PublishAsync(Scenario.Event(type, "created", new { n }));
        }

        await Poll.UntilAsync(() => Task.FromResult(reads.Added == QueueCapacity + Backlog + WrittenDuringRead),
            "the deliveries published during the read are stored");
        // A grain call queues behind the turn that admitted the last of them (it was scheduled when its write returned).
        _ = await endpoint.GetStatusAsync();

        // Only the first read comes back; any other stays held until the test ends.
        reads.ReleaseFirst();
        var received = await Receiver.WaitForAsync("/read", n, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)), received.Select(r => r.BodyText));
        Assert.Equal(1, reads.HeldCount);
        Assert.False((await endpoint.GetStatusAsync()).BacklogInStore);
    }

    /// <summary>Replaces the silo's delivery store with <see cref="HeldReadStore"/> around the PostgreSQL one.</summary>
    private sealed class HeldReads : ISiloConfigurator
    {
        public static HeldReadStore? Store { get; private set; }

        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Services.Replace(ServiceDescriptor.Singleton<IDeliveryStore>(sp =>
                Store = new HeldReadStore(sp.GetRequiredService<PostgresDeliveryStore>())));
    }

    /// <summary>The real store, whose backlog reads (once <see cref="Hold"/> is called) run their query at once but
    /// answer only when released: a slow answer, which cannot be timed for real.</summary>
    internal sealed class HeldReadStore(IDeliveryStore inner) : IDeliveryStore
    {
        private readonly TaskCompletionSource _firstHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _releaseFirst = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _holding;
        private int _held;
        private int _added;

        public int Added => Volatile.Read(ref _added);

        public int HeldCount => Volatile.Read(ref _held);

        public Task FirstHeld => _firstHeld.Task;

        public void Hold() => _holding = true;

        public void ReleaseFirst() => _releaseFirst.TrySetResult();

        public async Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken = default)
        {
            var added = await inner.AddAsync(records, cancellationToken);
            Interlocked.Add(ref _added, added.Count);
            return added;
        }

        public async Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default)
        {
            var loaded = await inner.LoadPendingAsync(endpointId, afterSequence, beforeSequence, limit, maxBytes, cancellationToken);
            if (_holding)
            {
                if (Interlocked.Increment(ref _held) == 1)
                {
                    _firstHeld.TrySetResult();
                    await _releaseFirst.Task.WaitAsync(cancellationToken);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }

            return loaded;
        }

        public Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

        public Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default) => inner.GetAsync(endpointId, sequence, cancellationToken);

        public Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken = default) => inner.FailPendingAsync(endpointId, limit, cancellationToken);
    }
}
