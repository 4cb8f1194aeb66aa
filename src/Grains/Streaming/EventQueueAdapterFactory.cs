using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Webhooks.Events;

namespace Webhooks.Streaming;

/// <summary>Persistent-stream adapter: the pulling agents, their cache and its backpressure come from Orleans;
/// the queues behind them are ours (<see cref="IEventQueueBackend"/>: bounded grains in memory, or PostgreSQL).</summary>
internal sealed class EventQueueAdapterFactory : IQueueAdapterFactory, IQueueAdapter
{
    private readonly IEventQueueBackend _backend;
    private readonly HashRingBasedStreamQueueMapper _mapper;
    private readonly QueueCacheRoom _cache;
    private readonly Task<IStreamFailureHandler> _failureHandler = Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler(false));

    public EventQueueAdapterFactory(string name, IEventQueueBackend backend, EventQueueOptions options, ILoggerFactory loggerFactory)
    {
        Name = name;
        _backend = backend;
        _mapper = new HashRingBasedStreamQueueMapper(new HashRingStreamQueueMapperOptions { TotalQueueCount = options.QueueCount }, name);
        _cache = new QueueCacheRoom(options.CacheSize, loggerFactory);
    }

    public static EventQueueAdapterFactory Create(IServiceProvider services, string name) =>
        new(name,
            services.GetRequiredService<IEventQueueBackend>(),
            services.GetRequiredService<IOptions<EventQueueOptions>>().Value,
            services.GetRequiredService<ILoggerFactory>());

    public string Name { get; }

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(this);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => Task.FromResult<IQueueAdapter>(this);

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => _failureHandler;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => _backend.CreateReceiver(Name, queueId, () => _cache.Room(queueId));

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        var batch = new EventBatch
        {
            StreamId = streamId,
            Events = events is ImmutableArray<ObjectEvent> array ? array : events.Cast<ObjectEvent>().ToImmutableArray(),
        };
        return _backend.EnqueueAsync(Name, _mapper.GetQueueForStream(streamId), batch, CancellationToken.None);
    }
}
