namespace Webhooks.Deliveries;

/// <summary>What a replay requeued.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.ReplayResult")]
public sealed record ReplayResult
{
    [Id(0)] public int Requeued { get; init; }
    /// <summary>More deliveries matched than one call requeues (Delivery:MaxReplay); call again for the rest,
    /// which are then the newest that still match.</summary>
    [Id(1)] public bool Truncated { get; init; }
}
