namespace Webhooks.Delivery;

/// <summary>The clock deliveries are scheduled and stamped by (retries, Retry-After, attempt times). A type of its
/// own so that tests can run a day of retries in a second without also moving the clock Orleans' own timers,
/// leases and membership read from DI.</summary>
public sealed class DeliveryClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
