namespace Webhooks.Endpoints;

/// <summary>Live delivery state of one endpoint, served from the grain's memory.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EndpointStatus")]
public sealed record EndpointStatus
{
    [Id(0)] public required string EndpointId { get; init; }
    [Id(1)] public long Queued { get; init; }
    [Id(2)] public int InFlight { get; init; }
    [Id(3)] public long Delivered { get; init; }
    [Id(4)] public long Failed { get; init; }
    [Id(5)] public int LastStatusCode { get; init; }
    [Id(6)] public string LastError { get; init; } = "";
    [Id(7)] public DateTimeOffset? LastAttemptAt { get; init; }
    [Id(8)] public int MaxInFlight { get; init; }
    [Id(9)] public int QueueCapacity { get; init; }
    [Id(10)] public long Attempts { get; init; }
    [Id(11)] public int WaitingEnqueuers { get; init; }
    /// <summary>Durable mode: more pending deliveries wait in the database than the window held in memory
    /// (<see cref="Queued"/> + <see cref="InFlight"/>, at most <see cref="QueueCapacity"/>).</summary>
    [Id(12)] public bool BacklogInStore { get; init; }
    [Id(13)] public bool Paused { get; init; }
    /// <summary>Why the endpoint disabled itself; empty while enabled.</summary>
    [Id(14)] public string DisabledReason { get; init; } = "";
    [Id(15)] public CircuitState Circuit { get; init; }
    /// <summary>Failed attempts since the last success.</summary>
    [Id(16)] public int ConsecutiveFailures { get; init; }
    /// <summary>When the current run of failures began; null after a success.</summary>
    [Id(17)] public DateTimeOffset? FailingSince { get; init; }
    /// <summary>While the circuit is open: when the next probe may go.</summary>
    [Id(18)] public DateTimeOffset? NextProbeAt { get; init; }
    /// <summary>Deliveries waiting for a retry outside the in-flight slots (ordering = none).</summary>
    [Id(19)] public int WaitingForRetry { get; init; }
    /// <summary>When the oldest delivery still pending was made; null when none is.</summary>
    [Id(20)] public DateTimeOffset? OldestPendingAt { get; init; }
    /// <summary>Deliveries finished (succeeded or given up) per second over the last minute.</summary>
    [Id(21)] public double DeliveriesPerSecond { get; init; }
    /// <summary>Percentiles of the most recent attempts' durations; null before the first attempt.</summary>
    [Id(22)] public TimeSpan? AttemptLatencyP50 { get; init; }
    [Id(23)] public TimeSpan? AttemptLatencyP95 { get; init; }
    [Id(24)] public TimeSpan? AttemptLatencyP99 { get; init; }
    /// <summary>When the last attempt that did not succeed was made.</summary>
    [Id(25)] public DateTimeOffset? LastErrorAt { get; init; }
}
