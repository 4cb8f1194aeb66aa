using Webhooks.Endpoints.Queue;
using Webhooks.Endpoints.Sending;
using Webhooks.Endpoints.Watching;

namespace Webhooks.Endpoints;

/// <summary>An endpoint's live state as operators and dashboards see it, read from the activation's memory: its
/// queue, gate, admission and stats (no store is asked); and handed to the silo's watchers a moment after it
/// changes, once for all changes meanwhile, while anyone watches.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class EndpointStatusView(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryQueue queue,
    DeliveryAdmission admission,
    SendGate gate,
    EndpointStats stats,
    int queueCapacity,
    TimeProvider time,
    EndpointStateFeed feed,
    Func<TimeSpan, Func<Task>, IDisposable> schedule)
{
    private IDisposable? _push;

    /// <summary>Something changed: the state goes to the watchers after <see cref="EndpointStateFeed.FlushInterval"/>.</summary>
    public void Changed()
    {
        if (_push is not null || !feed.HasObservers)
        {
            return;
        }

        _push = schedule(EndpointStateFeed.FlushInterval, () =>
        {
            _push?.Dispose();
            _push = null;
            if (endpoint.Definition is { } definition)
            {
                feed.Changed(Read(definition));
            }

            return Task.CompletedTask;
        });
    }

    public EndpointStatus Read(EndpointDefinition definition)
    {
        var lanes = queue.Lanes;
        var latencies = stats.Latencies.Percentiles();
        return new EndpointStatus
        {
            EndpointId = endpointId,
            Queued = lanes.Queued,
            InFlight = lanes.InFlight,
            WaitingForRetry = lanes.WaitingForRetry,
            OldestPendingAt = lanes.OldestCreatedAt,
            BacklogInStore = admission.KeepsBacklogInStore && queue.Window.BacklogInStore,
            WaitingEnqueuers = admission.Waiting,
            MaxInFlight = definition.MaxInFlight,
            QueueCapacity = queueCapacity,
            Paused = endpoint.State.Paused,
            DisabledReason = endpoint.State.DisabledReason ?? "",
            Circuit = gate.Circuit,
            ConsecutiveFailures = gate.ConsecutiveFailures,
            FailingSince = gate.FailingSince,
            NextProbeAt = gate.NextProbeAt,
            Delivered = stats.Delivered,
            Failed = stats.Failed,
            Attempts = stats.Attempts,
            DeliveriesPerSecond = stats.Finished.PerSecond(time.GetUtcNow()),
            AttemptLatencyP50 = latencies?.P50,
            AttemptLatencyP95 = latencies?.P95,
            AttemptLatencyP99 = latencies?.P99,
            LastStatusCode = stats.LastStatusCode,
            LastError = stats.LastError,
            LastErrorAt = stats.LastErrorAt,
            LastAttemptAt = stats.LastAttemptAt,
        };
    }
}
