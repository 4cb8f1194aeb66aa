using System.Collections.Immutable;
using Webhooks.Rules;

namespace Webhooks.DeadLetters;

/// <summary>What a dead-letter grain persists: its dead letters, oldest first.</summary>
[GenerateSerializer, Alias("webhooks.DeadLetterState")]
public sealed class DeadLetterGrainState
{
    [Id(0)] public ImmutableList<DeadLetter> Items { get; set; } = [];
}
