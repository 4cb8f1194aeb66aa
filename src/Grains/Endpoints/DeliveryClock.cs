namespace Webhooks.Endpoints;

/// <summary>The clock deliveries are scheduled and stamped by (retries, Retry-After, attempt times). A type of its
/// own so that tests can run a day of retries in a second without also moving the clock Orleans' own timers,
/// leases and membership read from DI.</summary>
public sealed class DeliveryClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    /// <summary>Now, in whole microseconds: what PostgreSQL keeps, so that creation times and the page tokens made
    /// from them agree before and after a round trip through the store.</summary>
    public DateTimeOffset StoredNow() => ToStoredPrecision(Time.GetUtcNow());

    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time) =>
        time.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerMicrosecond));
}
