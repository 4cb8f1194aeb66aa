using Webhooks.Deliveries;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints.Queue;

/// <summary>An endpoint's queue: the deliveries held in memory (<see cref="Lanes"/>), what its store holds beyond
/// them (<see cref="Window"/>), and <see cref="Pump"/>, which decides what happens next: start sends while there are
/// free slots, refill the window, note when everything is settled.</summary>
/// <param name="readBefore">The first sequence a read of the backlog must not reach (a write still being admitted).</param>
/// <param name="keepAlive">Called while sends, reads or retries are under way: idle collection looks only at
/// requests.</param>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class DeliveryQueue(
    EndpointStateWriter endpoint,
    DeliveryLanes lanes,
    BacklogWindow window,
    RecentDeliveryKeys keys,
    SendGate gate,
    DeliveryRunner runner,
    EndpointRecovery recovery,
    TimeProvider time,
    Func<long> readBefore,
    Action keepAlive,
    CancellationToken shutdown)
{
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    public DeliveryLanes Lanes => lanes;

    public BacklogWindow Window => window;

    public RecentDeliveryKeys Keys => keys;

    /// <summary>Pending deliveries in memory, in the store, or being written to it (numbered, not yet admitted): a
    /// write in flight may commit after this activation is gone, so until it is admitted the endpoint is not idle and
    /// no settled mark may pass it.</summary>
    public bool HasWork => lanes.Held > 0 || window.BacklogInStore || readBefore() != long.MaxValue;

    /// <summary>Takes committed deliveries: <paramref name="records"/> were written, <paramref name="added"/> of
    /// them were new.</summary>
    /// <param name="fits">Whether memory has room for one more (asked per delivery).</param>
    public void Admit(IReadOnlyList<DeliveryRecord> records, IReadOnlyList<DeliveryRecord> added, Func<bool> fits)
    {
        foreach (var record in records)
        {
            keys.Add(record.EventId, record.WebhookId);
        }

        foreach (var record in added)
        {
            window.Offer(record, fits());
        }

        Pump();
    }

    /// <summary>Raised by every <see cref="Pump"/>: something about the queue may have changed.</summary>
    public event Action? Pumped;

    /// <summary>Starts sends while there is capacity; FIFO, so with max_in_flight = 1 order is strict.</summary>
    public void Pump()
    {
        Pumped?.Invoke();
        if (endpoint.Definition is not { } definition || gate.IsStopped)
        {
            return;
        }

        while (gate.IsSending && lanes.InFlight < definition.MaxInFlight && lanes.TryStartNext(out var record))
        {
            _ = runner.RunAsync(record);
        }

        if (window.NeedsRead)
        {
            _ = ReadBacklogAsync();
        }

        if (!HasWork && !window.Reading && runner.Unsettled == 0)
        {
            recovery.OnIdle();
        }

        if (lanes.InFlight > 0 || window.Reading || lanes.WaitingForRetry > 0)
        {
            keepAlive();
        }
    }

    private async Task ReadBacklogAsync()
    {
        try
        {
            if (!await window.ReadAsync(readBefore(), shutdown))
            {
                // Try again later, not in a tight loop while the database is away.
                await Task.Delay(StoreRetryDelay, time, shutdown);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return;
        }

        Pump();
    }
}
