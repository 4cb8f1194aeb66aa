using System.ComponentModel.DataAnnotations;

namespace Webhooks.Streaming;

/// <summary>Bounds of the event stream queues (configuration section "Streams").</summary>
public sealed class EventQueueOptions
{
    public const string Section = "Streams";

    /// <summary>Number of queues (partitions) the pulling agents spread over the silos.</summary>
    [Range(1, 1024)] public int QueueCount { get; set; } = 8;

    /// <summary>Events a queue holds, unacknowledged, before publishers wait.</summary>
    [Range(1, 10_000_000)] public int QueueCapacity { get; set; } = 20_000;

    /// <summary>How long a publisher waits for room before getting RESOURCE_EXHAUSTED.</summary>
    public TimeSpan PublishWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Batches the pulling agent caches per queue; past it the agent stops reading (backpressure).</summary>
    [Range(16, 1_000_000)] public int CacheSize { get; set; } = 512;

    /// <summary>How often an idle pulling agent polls its queue.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(5);
}
