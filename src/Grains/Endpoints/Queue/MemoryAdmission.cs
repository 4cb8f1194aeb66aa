using System.Collections.Immutable;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints.Sending;
using Webhooks.Errors;

namespace Webhooks.Endpoints.Queue;

/// <summary>The embedded default's admission: one call at a time, one delivery at a time, each after waiting for
/// room. That wait is the backpressure that reaches the stream and, through it, publishers.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to release, and a call still waiting on it when the activation ends must not meet a disposed one.")]
internal sealed class MemoryAdmission(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryQueue queue,
    IDeliveryStore store,
    DeliveryClock clock,
    SendGate gate,
    DeliveryOptions options) : DeliveryAdmission(endpointId, endpoint, queue, store, clock)
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private TaskCompletionSource? _room;
    private int _waiting;

    public override int Waiting => _waiting;

    public override bool KeepsBacklogInStore => false;

    /// <summary>An endpoint that is getting through paces its callers at the queue capacity; one that is failing or
    /// not sending holds up to the failing backlog bound instead of stalling them (and every webhook of their types).</summary>
    private int Bound => gate.IsSending && !gate.IsFailing ? options.QueueCapacity : Math.Max(options.QueueCapacity, options.MaxFailingBacklog);

    private bool Full(DeliveryLanes lanes) => lanes.Held >= Bound || (lanes.Held > 0 && lanes.HeldBytes >= options.MaxHeldBytes);

    public override async Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (Precheck(requests) is { } early)
            {
                return early;
            }

            var created = 0;
            var now = Clock.StoredNow();
            foreach (var request in requests)
            {
                if (Queue.Keys.Contains(request.EventId, request.WebhookId))
                {
                    continue;
                }

                await WaitForRoomAsync(cancellationToken);
                var definition = Definition;
                var sequence = await Endpoint.NextSequenceAsync(cancellationToken);
                List<DeliveryRecord> records = [DeliveryRecords.FromRequest(EndpointId, sequence, request, definition.Url, now)];
                var added = await Store.AddAsync(records, cancellationToken);
                // The wait above bounded memory already.
                Queue.Admit(records, added, static () => true);
                created += added.Count;
            }

            return Accepted(created);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public override void ReleaseWaiters()
    {
        if (_room is { } room)
        {
            _room = null;
            room.TrySetResult();
        }
    }

    private async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var lanes = Queue.Lanes;
        if (!Full(lanes))
        {
            return;
        }

        _waiting++;
        try
        {
            var time = Clock.Time;
            var deadline = time.GetUtcNow() + options.EnqueueWait;
            while (Full(lanes))
            {
                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || Endpoint.Definition is null)
                {
                    throw new EndpointBusyException($"endpoint {EndpointId} has {lanes.Held} deliveries waiting (capacity {Bound}), {lanes.HeldBytes / 1024} KiB of them (at most {options.MaxHeldBytes / 1024} KiB)");
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                try
                {
                    await _room.Task.WaitAsync(remaining, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The loop condition decides with current numbers.
                }
            }
        }
        finally
        {
            _waiting--;
        }
    }
}
