namespace Webhooks.Catalog;

/// <summary>The ids of every resource of one kind (key: <see cref="Endpoints"/> or <see cref="Webhooks"/>), for listing.</summary>
[Alias("webhooks.ICatalogGrain")]
public interface ICatalogGrain : IGrainWithStringKey
{
    public const string Endpoints = "endpoints";
    public const string Webhooks = "webhooks";

    [Alias("AddAsync")]
    Task AddAsync(string id, CancellationToken cancellationToken = default);

    [Alias("RemoveAsync")]
    Task RemoveAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Ids in ascending order after <paramref name="after"/> (exclusive; null for the first page).</summary>
    [Alias("ListAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<CatalogPage> ListAsync(int pageSize, string? after, CancellationToken cancellationToken = default);
}
