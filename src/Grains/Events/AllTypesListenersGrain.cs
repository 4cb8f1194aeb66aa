using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Orleans.Streams.Core;
using Orleans.Streams.PubSub;
using Webhooks.Hosting;
using Webhooks.Streaming;

namespace Webhooks.Events;

/// <summary>Keeps the set of all-types listeners and the leases of "nobody listens" answers (see
/// <see cref="IAllTypesListenersGrain"/>).</summary>
/// <remarks>Calls that change the set run one at a time; <see cref="AskAsync"/> interleaves with them, so that while
/// a first listener waits for the leases to end, object-type grains already hear that someone listens.</remarks>
[GrainType("all-types-listeners")]
internal sealed class AllTypesListenersGrain(
    [PersistentState("all-types-listeners", StorageNames.Definitions)] IPersistentState<AllTypesListenersState> state,
    IOptions<EventQueueOptions> options,
    TimeProvider time) : Grain, IAllTypesListenersGrain
{
    private readonly TimeSpan _lease = options.Value.AllTypesLease;

    // Until when some object-type grain may believe that nobody listens (a timestamp of `time`).
    private long _notListenedUntil;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Answers given by an earlier activation of this grain (on a silo that may have died) are unknown; each ends
        // within one lease of being given, so within one lease of now.
        _notListenedUntil = time.GetTimestamp() + Ticks(_lease);

        // Subscriptions the set does not know: made before this grain existed (a database from an earlier version),
        // or by a webhook whose create stopped between subscribing and being recorded. Orleans' subscription
        // store is the truth about who reads the stream.
        var provider = this.GetStreamProvider(EventStreams.Provider);
        if (!provider.TryGetStreamSubscriptionManager(out var manager))
        {
            throw new InvalidOperationException($"stream provider '{EventStreams.Provider}' has no subscription manager");
        }

        var subscriptions = await manager.GetSubscriptions(EventStreams.Provider, StreamId.Create(EventStreams.Namespace, EventStreams.AllTypesKey));
        var known = state.State.Webhooks;
        var seen = known.Union(subscriptions.Select(s => s.GrainId.Key.ToString()), StringComparer.Ordinal).ToImmutableArray();
        if (seen.Length != known.Length)
        {
            state.State.Webhooks = seen;
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<AllTypesAnswer> AskAsync()
    {
        if (state.State.Webhooks.Length > 0)
        {
            return Task.FromResult(new AllTypesAnswer { Listened = true, Lease = _lease });
        }

        _notListenedUntil = Math.Max(_notListenedUntil, time.GetTimestamp() + Ticks(_lease));
        return Task.FromResult(new AllTypesAnswer { Listened = false, Lease = _lease });
    }

    public async Task AddAsync(string webhookId)
    {
        var before = state.State.Webhooks;
        if (before.Contains(webhookId, StringComparer.Ordinal))
        {
            // A webhook activating again: it was let in before (or its create failed, which promised nothing).
            return;
        }

        // Set before it is stored: from here on every answer is "someone listens", so the wait below ends.
        await StoreAsync(before.Add(webhookId));

        var wait = time.GetElapsedTime(time.GetTimestamp(), _notListenedUntil);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time);
        }
    }

    public async Task RemoveAsync(string webhookId)
    {
        var before = state.State.Webhooks;
        if (before.Contains(webhookId, StringComparer.Ordinal))
        {
            await StoreAsync(before.Remove(webhookId, StringComparer.Ordinal));
        }
    }

    /// <summary>Answers follow the new set at once; a write that fails puts the old one back.</summary>
    private async Task StoreAsync(ImmutableArray<string> webhooks)
    {
        var before = state.State.Webhooks;
        state.State.Webhooks = webhooks;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Webhooks = before;
            throw;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
