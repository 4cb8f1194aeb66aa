using Webhooks.Deliveries;
using Webhooks.DeliveryLog;

namespace Webhooks.Endpoints.Queue;

/// <summary>The deliveries an endpoint holds in memory, by lane, and the order in which sends take them: operator
/// redeliveries first, then deliveries that were under way when the endpoint stopped sending, then retries whose
/// time has come (ordering = none), then new deliveries in sequence order.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class DeliveryLanes
{
    private readonly Queue<DeliveryRecord> _manual = new();
    // Every operator delivery that has not ended (queued, in flight, or a test event on the wire): a read of pending
    // deliveries must not queue one of them a second time, and an operator cannot redeliver it twice.
    private readonly HashSet<long> _manualSequences = [];
    private readonly Queue<DeliveryRecord> _parked = new();
    private readonly Queue<DeliveryRecord> _due = new();
    private readonly Queue<DeliveryRecord> _queue = new();
    // What each held delivery costs, and when it was made, from when it enters memory until it is finished.
    private readonly Dictionary<long, (long Bytes, DateTimeOffset CreatedAt)> _held = [];

    /// <summary>Deliveries being sent (or waiting for their turn to send) in the in-flight slots.</summary>
    public int InFlight { get; private set; }

    /// <summary>ordering = none: deliveries waiting for their retry outside the in-flight slots.</summary>
    public int WaitingForRetry { get; private set; }

    /// <summary>Every delivery in memory: queued, parked, due, redelivered by an operator, waiting for a retry and in
    /// flight.</summary>
    public int Held => _queue.Count + _parked.Count + _due.Count + _manual.Count + WaitingForRetry + InFlight;

    /// <summary>Held but not in flight.</summary>
    public int Queued => Held - InFlight;

    /// <summary>About the memory the held deliveries take (their bodies, URLs and headers).</summary>
    public long HeldBytes { get; private set; }

    /// <summary>When the oldest delivery held was made; null when none is. Memory holds the oldest pending
    /// deliveries (a backlog in the store is newer), so this is the endpoint's oldest.</summary>
    public DateTimeOffset? OldestCreatedAt
    {
        get
        {
            DateTimeOffset? oldest = null;
            foreach (var (_, createdAt) in _held.Values)
            {
                if (oldest is null || createdAt < oldest)
                {
                    oldest = createdAt;
                }
            }

            return oldest;
        }
    }

    /// <summary>A new delivery (or one read back from the store), behind every other.</summary>
    public void Enqueue(DeliveryRecord record)
    {
        Count(record);
        _queue.Enqueue(record);
    }

    /// <summary>A delivery is finished (or given up): it no longer counts against the endpoint's memory.</summary>
    public void Release(long sequence)
    {
        if (_held.Remove(sequence, out var held))
        {
            HeldBytes -= held.Bytes;
        }
    }

    private void Count(DeliveryRecord record)
    {
        var bytes = DeliverySize.Request(record);
        if (_held.TryAdd(record.Sequence, (bytes, record.CreatedAt)))
        {
            HeldBytes += bytes;
        }
    }

    /// <summary>A delivery that was under way when the endpoint stopped sending: it goes first when it resumes.</summary>
    public void Park(DeliveryRecord record) => _parked.Enqueue(record);

    /// <summary>ordering = none: a retry whose time has come, ahead of new deliveries.</summary>
    public void AddDue(DeliveryRecord record) => _due.Enqueue(record);

    /// <summary>An operator's redelivery: ahead of everything else.</summary>
    public void AddManual(DeliveryRecord record)
    {
        Count(record);
        _manualSequences.Add(record.Sequence);
        _manual.Enqueue(record);
    }

    /// <summary>Marks a delivery as the operator's without queueing it (a test event sent right away).</summary>
    public void ReserveManual(long sequence) => _manualSequences.Add(sequence);

    public bool IsManual(long sequence) => _manualSequences.Contains(sequence);

    public void ReleaseManual(long sequence) => _manualSequences.Remove(sequence);

    public void ForgetManual() => _manualSequences.Clear();

    /// <summary>Takes the next delivery to send, in lane order, into an in-flight slot.</summary>
    public bool TryStartNext(out DeliveryRecord record)
    {
        if (TryTake(out record))
        {
            InFlight++;
            return true;
        }

        return false;
    }

    /// <summary>A delivery left its in-flight slot.</summary>
    public void SendEnded() => InFlight--;

    public void RetryWaitStarted() => WaitingForRetry++;

    public void RetryWaitEnded() => WaitingForRetry--;

    /// <summary>Takes any delivery that is not in flight, in lane order (the endpoint is being deleted).</summary>
    public bool TryTake(out DeliveryRecord record) =>
        _manual.TryDequeue(out record!) || _parked.TryDequeue(out record!) || _due.TryDequeue(out record!) || _queue.TryDequeue(out record!);
}
