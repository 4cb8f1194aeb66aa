namespace Webhooks.Rules;

/// <summary>What discarding dead letters did.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DiscardResult")]
public sealed record DiscardResult
{
    [Id(0)] public int Discarded { get; init; }
    /// <summary>Dead letters still held.</summary>
    [Id(1)] public int Remaining { get; init; }
}
