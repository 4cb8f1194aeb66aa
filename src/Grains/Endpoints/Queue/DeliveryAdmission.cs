using System.Collections.Immutable;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Errors;

namespace Webhooks.Endpoints.Queue;

/// <summary>How an endpoint takes new deliveries from webhooks: numbers them, records them in the store and hands
/// them to its queue, in order, idempotent by (event, webhook). <see cref="MemoryAdmission"/> bounds the queue by
/// making callers wait; <see cref="DurableAdmission"/> commits each call's deliveries before returning and leaves
/// what does not fit in memory to the store.</summary>
/// <remarks><see cref="EnqueueAsync"/> interleaves with the endpoint's other calls (so that many webhooks' writes can
/// share a commit); each implementation serializes what must not overlap.</remarks>
internal abstract class DeliveryAdmission(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryQueue queue,
    IDeliveryStore store,
    DeliveryClock clock)
{
    protected string EndpointId => endpointId;

    protected EndpointStateWriter Endpoint => endpoint;

    protected DeliveryQueue Queue => queue;

    protected IDeliveryStore Store => store;

    protected DeliveryClock Clock => clock;

    /// <summary>The first sequence of a write not admitted yet (a read of the backlog stops below it).</summary>
    public virtual long ReadBefore => long.MaxValue;

    /// <summary>Callers waiting for room.</summary>
    public virtual int Waiting => 0;

    /// <summary>Whether pending deliveries beyond the in-memory window stay in the store (and the status says so).</summary>
    public abstract bool KeepsBacklogInStore { get; }

    /// <summary>Queues deliveries in order, all addressed with the same URL version.</summary>
    public abstract Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken);

    /// <summary>Room may have freed up, or the bound changed: waiting callers check again.</summary>
    public virtual void ReleaseWaiters()
    {
    }

    protected EndpointDefinition Definition => endpoint.Definition ?? throw new ResourceNotFoundException("endpoint", endpointId);

    /// <summary>The answer for a call that queues nothing (no requests, or addressed with an outdated URL); null when
    /// it goes on.</summary>
    protected EnqueueResult? Precheck(ImmutableArray<DeliveryRequest> requests)
    {
        _ = Definition;
        if (requests.IsDefaultOrEmpty)
        {
            return Accepted(0);
        }

        return requests.Any(r => r.UrlVersion != endpoint.State.UrlVersion)
            ? new EnqueueResult { Outcome = EnqueueOutcome.StaleRoute, Route = endpoint.State.Route() }
            : null;
    }

    protected static EnqueueResult Accepted(int created) => new() { Outcome = EnqueueOutcome.Accepted, Created = created };
}
