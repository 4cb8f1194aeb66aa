namespace Webhooks.Rules;

/// <summary>What requeueing dead letters did.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.RequeueResult")]
public sealed record RequeueResult
{
    /// <summary>Dead letters processed again and taken off the list.</summary>
    [Id(0)] public int Requeued { get; init; }
    /// <summary>Dead letters still held (those not asked for, and any left after a failure).</summary>
    [Id(1)] public int Remaining { get; init; }
    /// <summary>Why requeueing stopped early: the first event that failed again stays a dead letter, as do those after it.</summary>
    [Id(2)] public string Error { get; init; } = "";
}
