using System.Collections.Immutable;
using Webhooks.DeadLetters;

namespace Webhooks.Rules;

/// <summary>A webhook's side of its dead letters: the dead-letter grain keeps them; this keeps the webhook's stored
/// count in step with it (so that reading a webhook costs no call there) and requeues them through the webhook's own
/// event processing.</summary>
/// <remarks>Not thread-safe: the webhook grain's turns use it one at a time.</remarks>
internal sealed class WebhookDeadLetters(string webhookId, IGrainFactory grains, IPersistentState<WebhookGrainState> state)
{
    private IDeadLetterGrain Grain => grains.GetGrain<IDeadLetterGrain>(webhookId);

    public Task<DeadLetterPage> ListAsync(int pageSize, string after) => Grain.ListAsync(pageSize, after);

    public async Task SetAsideAsync(DeadLetter deadLetter) => await SetCountAsync(await Grain.AddAsync(deadLetter));

    /// <summary>Processes the dead letters again, in order, stopping at the first that fails again (it stays).</summary>
    public async Task<RequeueResult> RequeueAsync(WebhookProgram program, WebhookEventProcessor events, ImmutableArray<string> eventIds)
    {
        var requeued = new List<string>();
        var error = "";
        foreach (var deadLetter in await Grain.GetAsync(eventIds))
        {
            try
            {
                await events.RequeueAsync(program, deadLetter.Event);
                requeued.Add(deadLetter.Event.EventId);
            }
            catch (Exception ex)
            {
                error = $"event {deadLetter.Event.EventId}: {ex.GetType().FullName}: {ex.Message}";
                break;
            }
        }

        var remaining = requeued.Count > 0 ? await SetCountAsync(await Grain.RemoveAsync([.. requeued])) : state.State.DeadLetters;
        return new RequeueResult { Requeued = requeued.Count, Remaining = remaining, Error = error };
    }

    public async Task<DiscardResult> DiscardAsync(ImmutableArray<string> eventIds)
    {
        var before = (await Grain.GetAsync([])).Length;
        var remaining = await SetCountAsync(await Grain.RemoveAsync(eventIds.IsDefaultOrEmpty ? [] : eventIds));
        return new DiscardResult { Discarded = before - remaining, Remaining = remaining };
    }

    /// <summary>Drops them all (the webhook is being deleted).</summary>
    public Task ClearAsync() => Grain.RemoveAsync([]);

    private async Task<int> SetCountAsync(int count)
    {
        if (state.State.DeadLetters != count)
        {
            state.State.DeadLetters = count;
            await state.WriteStateAsync();
        }

        return count;
    }
}
