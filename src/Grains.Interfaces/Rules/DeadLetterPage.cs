using System.Collections.Immutable;

namespace Webhooks.Rules;

/// <summary>A page of a webhook's dead letters, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeadLetterPage")]
public sealed record DeadLetterPage
{
    [Id(0)] public ImmutableArray<DeadLetter> Items { get; init; } = [];
    /// <summary>The event id to continue after; empty on the last page.</summary>
    [Id(1)] public string NextAfter { get; init; } = "";
}
