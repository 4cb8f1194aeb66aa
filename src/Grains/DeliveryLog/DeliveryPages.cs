using System.Collections.Immutable;
using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>Merges newest-first pages read from several places (endpoints, silos) into one page, and keeps a page
/// within what one reply may carry.</summary>
internal static class DeliveryPages
{
    /// <summary>Most deliveries one page holds: each carries its request body and every attempt's response.</summary>
    public const int MaxPageSize = 100;

    /// <summary>About the most characters of bodies and headers one page carries; a page that would carry more ends
    /// early, with a token for the rest (at least one delivery is always returned).</summary>
    public const long MaxPageChars = 4 * 1024 * 1024;

    public static DeliveryPage Fit(DeliveryPage page, long maxChars = MaxPageChars)
    {
        long total = 0;
        for (var i = 0; i < page.Items.Length; i++)
        {
            total += DeliverySize.WithAttempts(page.Items[i]) / 2;
            if (total > maxChars && i > 0)
            {
                var items = page.Items[..i];
                return new DeliveryPage { Items = items, NextPageToken = DeliveryCursor.Of(items[^1]).ToToken() };
            }
        }

        return page;
    }

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
