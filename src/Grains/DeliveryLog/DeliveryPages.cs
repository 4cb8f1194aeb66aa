using System.Collections.Immutable;
using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>Merges newest-first pages read from several places (endpoints, silos) into one page.</summary>
internal static class DeliveryPages
{
    public static DeliveryPage Merge(IReadOnlyCollection<DeliveryPage> pages, int pageSize)
    {
        var merged = pages.SelectMany(p => p.Items).OrderBy(DeliveryCursor.Of).ToList();
        var more = merged.Count > pageSize || pages.Any(p => p.NextPageToken is not null);
        var items = merged.Take(pageSize).ToImmutableArray();
        return new DeliveryPage
        {
            Items = items,
            NextPageToken = more && items.Length > 0 ? DeliveryCursor.Of(items[^1]).ToToken() : null,
        };
    }
}
