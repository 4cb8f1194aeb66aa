using System.Collections.Immutable;
using Webhooks.Hosting;

namespace Webhooks.Catalog;

/// <summary>Index of the ids of one kind of resource, kept in id order for stable paging.</summary>
[GrainType("catalog")]
internal sealed class CatalogGrain(
    [PersistentState("catalog", StorageNames.Definitions)] IPersistentState<CatalogGrainState> state) : Grain, ICatalogGrain
{
    public async Task AddAsync(string id, CancellationToken cancellationToken)
    {
        if (!state.State.Ids.Contains(id))
        {
            state.State.Ids = state.State.Ids.Add(id);
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (state.State.Ids.Contains(id))
        {
            state.State.Ids = state.State.Ids.Remove(id);
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<CatalogPage> ListAsync(int pageSize, string? after, CancellationToken cancellationToken)
    {
        var ids = state.State.Ids;
        IEnumerable<string> view = ids;
        if (after is not null && ids.Count > 0)
        {
            view = ids.Where(id => string.CompareOrdinal(id, after) > 0);
        }

        var page = view.Take(pageSize + 1).ToImmutableArray();
        return Task.FromResult(new CatalogPage
        {
            Ids = page.Length > pageSize ? page.RemoveAt(pageSize) : page,
            HasMore = page.Length > pageSize,
        });
    }
}
