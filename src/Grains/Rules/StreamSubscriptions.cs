using System.Collections.Immutable;
using Orleans.Streams;
using Webhooks.Events;

namespace Webhooks.Rules;

/// <summary>A webhook's subscriptions to the event streams: exactly one per stream its definition needs. The
/// streams it holds subscriptions on are stored with it, so that a change of definition (or a crash half-way
/// through one) is reconciled on the next activation.</summary>
/// <remarks>A subscription to the all-types stream is announced to <see cref="IAllTypesListenersGrain"/> before it is
/// made, and withdrawn after it is removed: object-type grains write there only while someone reads.</remarks>
internal sealed class StreamSubscriptions(
    IStreamProvider provider,
    IAsyncBatchObserver<ObjectEvent> observer,
    IPersistentState<WebhookGrainState> state,
    IAllTypesListenersGrain allTypesListeners,
    string webhookId)
{
    /// <summary>Resumes the subscriptions to keep (re-attaching this activation), removes the others and adds the
    /// missing ones.</summary>
    public async Task ReconcileAsync(ImmutableArray<string> desired)
    {
        foreach (var key in state.State.SubscribedStreams.Union(desired, StringComparer.Ordinal))
        {
            var stream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, key));
            var handles = await stream.GetAllSubscriptionHandles();
            var keep = desired.Contains(key);
            var allTypes = key == EventStreams.AllTypesKey;
            if (keep && allTypes)
            {
                await allTypesListeners.AddAsync(webhookId);
            }

            for (var i = 0; i < handles.Count; i++)
            {
                if (keep && i == 0)
                {
                    await handles[i].ResumeAsync(observer);
                }
                else
                {
                    await handles[i].UnsubscribeAsync();
                }
            }

            if (keep && handles.Count == 0)
            {
                await stream.SubscribeAsync(observer);
            }

            if (!keep && allTypes)
            {
                await allTypesListeners.RemoveAsync(webhookId);
            }
        }

        if (!state.State.SubscribedStreams.SequenceEqual(desired) && state.State.Definition is not null)
        {
            state.State.SubscribedStreams = desired;
            await state.WriteStateAsync();
        }
    }
}
