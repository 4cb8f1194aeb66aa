using Microsoft.Extensions.Logging;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints.Queue;

/// <summary>What differs between endpoints whose deliveries live in this silo's memory and endpoints whose
/// deliveries live in a durable store: how new deliveries are admitted, and how an endpoint comes back after its
/// silo is lost. Chosen once per silo by the storage mode.</summary>
internal interface IEndpointQueueMode
{
    EndpointRecovery CreateRecovery(Grain grain, string endpointId, EndpointStateWriter endpoint, ILogger logger);

    DeliveryAdmission CreateAdmission(string endpointId, EndpointStateWriter endpoint, DeliveryQueue queue, SendGate gate, EndpointRecovery recovery);
}
