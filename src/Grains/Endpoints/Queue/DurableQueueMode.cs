using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints.Queue;

/// <summary>Durable mode: admission commits before returning and keeps a bounded window in memory; a reminder
/// brings back endpoints with unfinished deliveries.</summary>
internal sealed class DurableQueueMode(IDeliveryStore store, DeliveryClock clock, IOptions<DeliveryOptions> options, IGrainFactory grains) : IEndpointQueueMode
{
    public EndpointRecovery CreateRecovery(Grain grain, string endpointId, EndpointStateWriter endpoint, ILogger logger) =>
        new ReminderRecovery(grain, grains, endpointId, endpoint, options.Value.RecoveryInterval, clock.Time, logger);

    public DeliveryAdmission CreateAdmission(string endpointId, EndpointStateWriter endpoint, DeliveryQueue queue, SendGate gate, EndpointRecovery recovery) =>
        new DurableAdmission(endpointId, endpoint, queue, store, clock, recovery, options.Value.QueueCapacity, options.Value.MaxHeldBytes);
}
