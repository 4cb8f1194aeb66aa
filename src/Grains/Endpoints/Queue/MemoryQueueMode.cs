using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints.Queue;

/// <summary>The embedded default: callers wait for room, and nothing outlives the silo.</summary>
internal sealed class MemoryQueueMode(IDeliveryStore store, DeliveryClock clock, IOptions<DeliveryOptions> options) : IEndpointQueueMode
{
    public EndpointRecovery CreateRecovery(Grain grain, string endpointId, EndpointStateWriter endpoint, ILogger logger) => EndpointRecovery.None;

    public DeliveryAdmission CreateAdmission(string endpointId, EndpointStateWriter endpoint, DeliveryQueue queue, SendGate gate, EndpointRecovery recovery) =>
        new MemoryAdmission(endpointId, endpoint, queue, store, clock, gate, options.Value);
}
