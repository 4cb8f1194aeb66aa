using System.Buffers.Text;
using System.Text;
using Webhooks.Catalog;
using Webhooks.Errors;
using Webhooks.Paging;

namespace Webhooks.Gateway.Mapping;

/// <summary>Id-ordered lists of endpoints and webhooks, read a page at a time from their catalog. Page tokens are
/// opaque: the last id of the previous page.</summary>
internal static class CatalogPaging
{
    public static Task<CatalogPage> ReadAsync(IGrainFactory grains, string catalog, int pageSize, string pageToken, CancellationToken cancellationToken) =>
        grains.GetGrain<ICatalogGrain>(catalog).ListAsync(PageSizes.Resolve(pageSize), Decode(pageToken), cancellationToken);

    public static string NextToken(CatalogPage page) => page.HasMore ? Encode(page.Ids[^1]) : "";

    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    public static string? Decode(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new InvalidFieldException("page_token", "is not a token returned by a previous page");
        }
    }
}
