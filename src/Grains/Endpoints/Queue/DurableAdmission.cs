using System.Collections.Immutable;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;

namespace Webhooks.Endpoints.Queue;

/// <summary>Durable mode's admission: each call's deliveries are numbered under a short lock, written together
/// (the store group-commits many endpoints' writes), and queued in the order they were numbered once committed,
/// before the call returns (and so before the webhook's stream moves on). Deliveries that do not fit in the
/// in-memory window wait in the store.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to release, and a call still waiting on it when the activation ends must not meet a disposed one.")]
internal sealed class DurableAdmission(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryQueue queue,
    IDeliveryStore store,
    DeliveryClock clock,
    EndpointRecovery recovery,
    int windowCapacity,
    long maxHeldBytes) : DeliveryAdmission(endpointId, endpoint, queue, store, clock)
{
    private readonly SemaphoreSlim _numbering = new(1, 1);
    // Numbered writes, oldest first, until each is admitted (they may commit in another order).
    private readonly Queue<PendingWrite> _writes = new();

    public override bool KeepsBacklogInStore => true;

    public override long ReadBefore
    {
        get
        {
            var before = long.MaxValue;
            foreach (var write in _writes)
            {
                before = Math.Min(before, write.Records[0].Sequence);
            }

            return before;
        }
    }

    public override async Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken)
    {
        await _numbering.WaitAsync(cancellationToken);
        var numbering = true;
        try
        {
            if (Precheck(requests) is { } early)
            {
                return early;
            }

            var definition = Definition;
            var batch = new List<DeliveryRecord>(requests.Length);
            var now = Clock.StoredNow();
            foreach (var request in requests)
            {
                if (!Queue.Keys.Contains(request.EventId, request.WebhookId))
                {
                    var sequence = await Endpoint.NextSequenceAsync(cancellationToken);
                    batch.Add(DeliveryRecords.FromRequest(EndpointId, sequence, request, definition.Url, now));
                }
            }

            var created = 0;
            if (batch.Count > 0)
            {
                var write = new PendingWrite(batch);
                _writes.Enqueue(write);
                numbering = false;
                _numbering.Release();
                try
                {
                    // Not the caller's token: when the caller goes away (its silo killed) the group commit may still
                    // commit these rows, and a write abandoned half-way would leave them pending in the database but
                    // never queued here (sent only after this endpoint's next activation).
                    write.Added = await Store.AddAsync(batch, CancellationToken.None);
                    created = write.Added.Count;
                }
                catch
                {
                    // It may have committed all the same: never claim those sequences are finished.
                    recovery.MarkAbandoned();
                    throw;
                }
                finally
                {
                    write.Done = true;
                    AdmitInOrder();
                }
            }

            if (numbering)
            {
                numbering = false;
                _numbering.Release();
            }

            // Before the caller (and so the stream) moves on: should this silo die, the reminder brings the endpoint
            // back even if nothing else calls it. Failing here makes the stream deliver the events again, which
            // registers it then (the deliveries themselves are already stored and are not added twice).
            await recovery.EnsureAsync(Queue.HasWork, cancellationToken);
            return Accepted(created);
        }
        finally
        {
            if (numbering)
            {
                _numbering.Release();
            }
        }
    }


    private void AdmitInOrder()
    {
        while (_writes.TryPeek(out var head) && head.Done)
        {
            _writes.Dequeue();
            if (head.Added is { } added)
            {
                Queue.Admit(head.Records, added, () => Queue.Lanes.Held < windowCapacity && (Queue.Lanes.Held == 0 || Queue.Lanes.HeldBytes < maxHeldBytes));
            }
        }
    }

    /// <summary>One call's deliveries, numbered, waiting for their write to commit.</summary>
    private sealed class PendingWrite(List<DeliveryRecord> records)
    {
        public List<DeliveryRecord> Records { get; } = records;

        public IReadOnlyList<DeliveryRecord>? Added { get; set; }

        public bool Done { get; set; }
    }
}
