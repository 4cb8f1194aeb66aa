using Orleans.Concurrency;

namespace Webhooks.Events;

/// <summary>Whether any webhook listens to the all-types stream ("*" and prefix webhooks), so that object-type grains
/// write each event there only when someone will read it. One per cluster (key <see cref="Key"/>).</summary>
/// <remarks>"Nobody listens" is an answer with a lease: the grain that got it may act on it until the lease ends, and
/// the first listener to arrive is not let in (its <see cref="AddAsync"/> does not return) until every such answer
/// has ended. So an event published after a "*" webhook's create returned is always written where it reads.</remarks>
[Alias("webhooks.IAllTypesListenersGrain")]
public interface IAllTypesListenersGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>Whether anyone listens, and for how long the answer holds (measured from before the call).</summary>
    [Alias("AskAsync"), AlwaysInterleave]
    Task<AllTypesAnswer> AskAsync();

    /// <summary>Records a webhook as a listener; returns once no object-type grain can still believe that nobody
    /// listens. Call before subscribing to the all-types stream.</summary>
    [Alias("AddAsync")]
    Task AddAsync(string webhookId);

    /// <summary>Forgets a webhook as a listener. Call after unsubscribing from the all-types stream.</summary>
    [Alias("RemoveAsync")]
    Task RemoveAsync(string webhookId);
}

[GenerateSerializer, Immutable, Alias("webhooks.AllTypesAnswer")]
public sealed record AllTypesAnswer
{
    [Id(0)] public bool Listened { get; init; }

    [Id(1)] public TimeSpan Lease { get; init; }
}
