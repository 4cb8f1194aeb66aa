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

    /// <summary>How long a type's publish waits, when the type's previous stream write has only just finished, for
    /// more publishes to share its write. Each stream message costs every subscriber one hand-off (on PostgreSQL
    /// one endpoint commit), so under load fewer, larger messages keep latency down; an idle type writes at once.
    /// Default: none in memory mode, 10 ms on PostgreSQL.</summary>
    public TimeSpan PublishLinger { get; set; } = TimeSpan.Zero;

    /// <summary>How long an object-type grain may act on "no webhook listens to all types" before asking again. While
    /// no "*" or prefix webhook exists each event is written to its type's stream only; the create of the first
    /// such webhook waits up to this long, until every object-type grain has heard of it.</summary>
    public TimeSpan AllTypesLease { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle pulling agent polls its queue. On PostgreSQL the database is read only when
    /// a commit notified the queue or <see cref="IdleReadInterval"/> has passed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>PostgreSQL: how long a read message stays hidden from other readers. The reader keeps extending it
    /// while it holds the message, so this is how soon a crashed silo's messages are read again elsewhere.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PostgreSQL: reads of a message that was never acknowledged (each one a crash or a lost reader)
    /// before it moves to the dead-letter table.</summary>
    [Range(1, 1000)] public int MaxDequeueCount { get; set; } = 10;

    /// <summary>PostgreSQL: a queue without notifications is still read this often (missed notifications,
    /// messages becoming visible again).</summary>
    public TimeSpan IdleReadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>PostgreSQL: enqueue transactions in flight at once per silo (group commit).</summary>
    [Range(1, 64)] public int Writers { get; set; } = 2;

    /// <summary>PostgreSQL: most stream batches one enqueue transaction writes.</summary>
    [Range(1, 100_000)] public int MaxBatchesPerCommit { get; set; } = 1000;
}
