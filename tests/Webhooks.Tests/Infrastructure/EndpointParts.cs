using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.DeliveryLog;
using Webhooks.Diagnostics;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Queue;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Tests.Infrastructure;

/// <summary>An endpoint's admission, queue, window and gate wired as its grain wires them, without a silo, for unit
/// tests of one piece among the real others. The endpoint starts paused and nothing is sent, so the runner's events
/// are not wired, and recovery is none in both modes (reminders need a silo) unless the queue is given one.</summary>
public sealed class EndpointParts : IDisposable
{
    public const string EndpointId = "ep";

    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _shutdown = new();

    internal EndpointParts(IDeliveryStore store, DeliveryOptions options, FakeTimeProvider clock, bool durable, EndpointRecovery? queueRecovery = null)
    {
        _services = new ServiceCollection().AddHttpClient().AddMetrics().BuildServiceProvider();
        Store = store;
        Clock = clock;
        State = new TestPersistentState<EndpointGrainState>(new EndpointGrainState
        {
            Definition = new EndpointDefinition { Url = "http://127.0.0.1:9/hooks" },
            Paused = true,
            UrlVersion = 1,
        });
        Endpoint = new EndpointStateWriter(State);
        Endpoint.Restore();
        var logger = NullLogger.Instance;
        Gate = new SendGate(EndpointId, Endpoint, options.DisableAfter, clock, logger);
        Lanes = new DeliveryLanes();
        var keys = new RecentDeliveryKeys(options.DuplicateWindow);
        Window = new BacklogWindow(EndpointId, options.QueueCapacity, store, Lanes, keys, logger, options.MaxHeldBytes);
        var sender = new DeliverySender(_services.GetRequiredService<IHttpClientFactory>(), Options.Create(options), new DeliveryClock(clock));
        var runner = new DeliveryRunner(EndpointId, Endpoint, Lanes, Gate, new EndpointStats(new WebhooksMetrics(
                _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Options.Create(new Webhooks.Hosting.TelemetryOptions()), new SiloDeliveryLoad())),
            EndpointRecovery.None, sender, store, options, clock, logger, _shutdown.Token);
        Queue = new DeliveryQueue(Endpoint, Lanes, Window, keys, Gate, runner, queueRecovery ?? EndpointRecovery.None, clock,
            readBefore: () => Admission!.ReadBefore, keepAlive: static () => { }, _shutdown.Token);
        Admission = durable
            ? new DurableAdmission(EndpointId, Endpoint, Queue, store, new DeliveryClock(clock), EndpointRecovery.None, options.QueueCapacity, options.MaxHeldBytes)
            : new MemoryAdmission(EndpointId, Endpoint, Queue, store, new DeliveryClock(clock), Gate, options);
        Gate.Changed += Admission.ReleaseWaiters;
    }

    internal IDeliveryStore Store { get; }

    internal FakeTimeProvider Clock { get; }

    internal TestPersistentState<EndpointGrainState> State { get; }

    internal EndpointStateWriter Endpoint { get; }

    internal SendGate Gate { get; }

    internal DeliveryLanes Lanes { get; }

    internal BacklogWindow Window { get; }

    internal DeliveryQueue Queue { get; }

    internal DeliveryAdmission Admission { get; }

    /// <summary>The sequences held in memory, in the order sends would take them.</summary>
    internal List<long> Held()
    {
        var taken = new List<Deliveries.DeliveryRecord>();
        while (Lanes.TryTake(out var record))
        {
            taken.Add(record);
        }

        foreach (var record in taken)
        {
            Lanes.Enqueue(record);
        }

        return [.. taken.Select(r => r.Sequence)];
    }

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        Endpoint.Dispose();
        _services.Dispose();
    }
}
