using System.ComponentModel.DataAnnotations;

namespace Webhooks.Delivery;

/// <summary>How endpoints queue and retry (configuration section "Delivery").</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Deliveries an endpoint holds (queued plus in flight) before callers wait: the backpressure bound.</summary>
    [Range(1, 1_000_000)] public int QueueCapacity { get; set; } = 1000;

    /// <summary>How long a webhook waits for room at a full endpoint before the event is redelivered later.</summary>
    public TimeSpan EnqueueWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per delivery, the first included.</summary>
    [Range(1, 100)] public int MaxAttempts { get; set; } = 4;

    /// <summary>Used when <see cref="RetryDelays"/> is empty.</summary>
    public static readonly TimeSpan[] DefaultRetryDelays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    /// <summary>Wait before retry n (the last value repeats). Empty by default because configuration binding
    /// appends to an array instead of replacing it; <see cref="DefaultRetryDelays"/> applies then.</summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Finished deliveries kept per endpoint in the in-memory log (with their bodies: a large value
    /// makes the heap, and so GC pauses and tail latency, grow).</summary>
    [Range(0, 10_000_000)] public int LogCapacityPerEndpoint { get; set; } = 1000;

    /// <summary>Recent (event, webhook) pairs an endpoint remembers to drop redelivered requests.</summary>
    [Range(100, 10_000_000)] public int DuplicateWindow { get; set; } = 4096;

    /// <summary>Bytes of a response body read (and later stored) per attempt.</summary>
    [Range(0, 1_000_000)] public int MaxResponseBodyBytes { get; set; } = 20_000;

    public TimeSpan RetryDelay(int retry)
    {
        var delays = RetryDelays.Length == 0 ? DefaultRetryDelays : RetryDelays;
        return delays[Math.Clamp(retry - 1, 0, delays.Length - 1)];
    }
}
