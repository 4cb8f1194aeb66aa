using Webhooks.Events;

namespace Webhooks.Endpoints.Queue;

/// <summary>The (event, webhook) pairs an endpoint admitted recently. A stream redelivers the last few batches
/// after a failure or a move; their requests are dropped here without asking the store, which is the final check
/// (its key is endpoint, event and webhook).</summary>
internal sealed class RecentDeliveryKeys(int capacity)
{
    private readonly RecentIdSet _keys = new(capacity);

    public bool Contains(string eventId, string webhookId) => _keys.Contains(Key(eventId, webhookId));

    public void Add(string eventId, string webhookId) => _keys.Add(Key(eventId, webhookId));

    private static string Key(string eventId, string webhookId) => string.Concat(eventId, "\n", webhookId);
}
