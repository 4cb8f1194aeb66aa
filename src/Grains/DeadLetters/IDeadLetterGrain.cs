using System.Collections.Immutable;
using Orleans.Concurrency;
using Webhooks.Rules;

namespace Webhooks.DeadLetters;

/// <summary>One per webhook (key: webhook id): the events it set aside as poison, oldest first, bounded by
/// <see cref="PoisonEventOptions.Capacity"/> and <see cref="PoisonEventOptions.MaxBytes"/>. Only its webhook
/// grain calls it. Every method returns or leaves the number held, which the webhook shows.</summary>
[Alias("webhooks.IDeadLetterGrain")]
internal interface IDeadLetterGrain : IGrainWithStringKey
{
    /// <summary>Stores a dead letter (again: replaces the one with its event id); the number held.</summary>
    [Alias("AddAsync")]
    Task<int> AddAsync(DeadLetter deadLetter);

    [Alias("ListAsync"), ReadOnly]
    Task<DeadLetterPage> ListAsync(int pageSize, string after);

    /// <summary>The dead letters with these event ids, or all when empty, in the order their events were accepted.</summary>
    [Alias("GetAsync"), ReadOnly]
    Task<ImmutableArray<DeadLetter>> GetAsync(ImmutableArray<string> eventIds);

    /// <summary>Drops these (all when empty); the number held after.</summary>
    [Alias("RemoveAsync")]
    Task<int> RemoveAsync(ImmutableArray<string> eventIds);
}
