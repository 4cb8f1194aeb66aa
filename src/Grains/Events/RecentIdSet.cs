namespace Webhooks.Events;

/// <summary>Remembers the last <c>capacity</c> ids, forgetting the oldest first: duplicate suppression
/// for retries, which arrive soon after the original, in bounded memory.</summary>
internal sealed class RecentIdSet(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Returns false when the id was already present.</summary>
    public bool Add(string id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }

        _order.Enqueue(id);
        if (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }
}
