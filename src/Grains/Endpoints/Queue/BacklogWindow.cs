using Microsoft.Extensions.Logging;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;

namespace Webhooks.Endpoints.Queue;

/// <summary>Which of an endpoint's pending deliveries are held in memory and which only its store has. The store
/// may hold pending deliveries numbered after <see cref="LoadedUpTo"/> (after an activation, or once the window
/// is full); until a read has reached the end of them, new deliveries go only to the store, so that memory
/// always holds a prefix of the queue and order is kept.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time; a read's I/O interleaves with them.</remarks>
internal sealed partial class BacklogWindow(
    string endpointId,
    int capacity,
    IDeliveryStore store,
    DeliveryLanes lanes,
    RecentDeliveryKeys keys,
    ILogger logger,
    long maxBytes)
{
    // Deliveries left to the store while a read ran. The read stops below every write still being admitted, so none
    // of these is in it: once it has read to its end, they are all the store holds beyond it.
    private readonly List<DeliveryRecord> _storedDuringRead = [];
    private bool _storedDuringReadOverflowed;

    /// <summary>The store may hold pending deliveries that memory does not.</summary>
    public bool BacklogInStore { get; private set; } = true;

    /// <summary>The highest sequence this activation has held (or knows to be finished).</summary>
    public long LoadedUpTo { get; private set; } = -1;

    public bool Reading { get; private set; }

    /// <summary>Refill at half the window, so that sending never waits for a read.</summary>
    public bool NeedsRead => BacklogInStore && !Reading && lanes.Held <= capacity / 2 && (lanes.Held == 0 || lanes.HeldBytes <= maxBytes / 2);

    /// <summary>Everything below the mark is finished: nothing below it is read back.</summary>
    public void SkipBelow(long settledBelow) => LoadedUpTo = Math.Max(LoadedUpTo, settledBelow - 1);

    /// <summary>Takes a delivery whose write has committed: queued in memory when nothing older waits in the store
    /// and <paramref name="fits"/>, else left to the store for a later read.</summary>
    public void Offer(DeliveryRecord record, bool fits)
    {
        if (record.Sequence <= LoadedUpTo)
        {
            // A read of the backlog that ran while this write committed has already queued it.
            return;
        }

        if (!BacklogInStore && fits)
        {
            lanes.Enqueue(record);
            LoadedUpTo = Math.Max(LoadedUpTo, record.Sequence);
            return;
        }

        BacklogInStore = true;
        if (Reading)
        {
            if (_storedDuringRead.Count < capacity)
            {
                _storedDuringRead.Add(record);
            }
            else
            {
                _storedDuringReadOverflowed = true;
            }
        }
    }

    /// <summary>Reads the next pending deliveries from the store into memory, oldest first, up to the window.</summary>
    /// <param name="before">Read nothing from here on: a write still being admitted may commit after this read's
    /// snapshot, or before it and be admitted after, and either way the read could not tell.</param>
    /// <returns>False when the read failed (the caller waits before the next); throws only when cancelled.</returns>
    public async Task<bool> ReadAsync(long before, CancellationToken cancellationToken)
    {
        Reading = true;
        try
        {
            var room = capacity - lanes.Held;
            _storedDuringRead.Clear();
            _storedDuringReadOverflowed = false;
            var budget = maxBytes - lanes.HeldBytes;
            var loaded = await store.LoadPendingAsync(endpointId, LoadedUpTo, before, room, budget, cancellationToken);
            // Loaded to the budget: the store may have stopped there, so more may wait in it.
            var full = loaded.Sum(DeliverySize.Request) >= budget;
            foreach (var record in loaded)
            {
                // Past the bytes bound the rest stays in the store for a later read (at least one is always taken).
                if (lanes.Held > 0 && lanes.HeldBytes >= maxBytes)
                {
                    full = true;
                    break;
                }

                // A delivery added while the read ran may already be here; one an operator requeued is queued already.
                if (record.Sequence > LoadedUpTo && !lanes.IsManual(record.Sequence))
                {
                    lanes.Enqueue(record);
                    LoadedUpTo = record.Sequence;
                    keys.Add(record.EventId, record.WebhookId);
                }
            }

            // Read to the end: what was left to the store meanwhile is all that is still there. When it fits, queue it
            // and let new deliveries queue in memory again; under a steady trickle of writes some always arrive
            // during a read, and without this every delivery would wait for a read of its own.
            if (!full && loaded.Count < room && !_storedDuringReadOverflowed && _storedDuringRead.Count <= room - loaded.Count)
            {
                foreach (var record in _storedDuringRead)
                {
                    if (record.Sequence > LoadedUpTo && !lanes.IsManual(record.Sequence))
                    {
                        lanes.Enqueue(record);
                        LoadedUpTo = Math.Max(LoadedUpTo, record.Sequence);
                    }
                }

                BacklogInStore = false;
            }

            _storedDuringRead.Clear();
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogReadFailed(logger, ex, endpointId);
            return false;
        }
        finally
        {
            Reading = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: reading pending deliveries failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string endpointId);
}
