using System.Collections.Immutable;
using Orleans.Streams;
using Webhooks.Events;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Reads the all-types stream directly, without announcing itself as a listener: what it sees is what the
/// object-type grains wrote there.</summary>
public interface IAllTypesProbeGrain : IGrainWithStringKey
{
    Task SubscribeAsync();

    Task<ImmutableArray<string>> SeenAsync();
}

public sealed class AllTypesProbeGrain : Grain, IAllTypesProbeGrain, IAsyncBatchObserver<ObjectEvent>
{
    private readonly List<string> _seen = [];

    public async Task SubscribeAsync() =>
        await this.GetStreamProvider(EventStreams.Provider)
            .GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, EventStreams.AllTypesKey))
            .SubscribeAsync(this);

    public Task<ImmutableArray<string>> SeenAsync() => Task.FromResult(_seen.ToImmutableArray());

    public Task OnNextAsync(IList<SequentialItem<ObjectEvent>> items)
    {
        _seen.AddRange(items.Select(i => i.Item.EventId));
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
