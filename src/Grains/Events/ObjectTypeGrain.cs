using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Diagnostics;
using Webhooks.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Webhooks.Events;

/// <summary>Publishes each event on the stream of its type, for webhooks that name the type, and, while any "*" or
/// prefix webhook exists (<see cref="AllTypesListening"/>), on the all-types stream, so those also see types that were
/// never seen before.</summary>
/// <remarks>Calls interleave, but one stream write at a time: publishes that arrive while a write is in flight wait
/// and go together in the next one. That keeps the per-type order that endpoints with max_in_flight = 1 promise,
/// a full queue still holds every publisher of the type back (backpressure), and under load many small publishes
/// share one commit and one stream message instead of each waiting for its own.</remarks>
[Reentrant]
[GrainType("object-type")]
internal sealed partial class ObjectTypeGrain(TimeProvider time, IOptions<EventQueueOptions> options, WebhooksMetrics metrics, ILogger<ObjectTypeGrain> logger) : Grain, IObjectTypeGrain
{
    // Client retries arrive soon after the original; a few batches back is enough and keeps each type cheap.
    private const int DuplicateWindow = 10_000;

    // Bounds one stream message: the pulling agent's cache counts messages, not events.
    private const int MaxEventsPerWrite = 500;

    private readonly RecentIdSet _accepted = new(DuplicateWindow);
    private readonly Queue<WaitingPublish> _waiting = new();
    private IAsyncStream<ObjectEvent> _typeStream = null!;
    private IAsyncStream<ObjectEvent> _allTypesStream = null!;
    private AllTypesListening _allTypesListening = null!;
    private readonly TimeSpan _linger = options.Value.PublishLinger;
    private int _waitingEvents;
    private long _lastWriteEnded;
    private bool _writing;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var provider = this.GetStreamProvider(EventStreams.Provider);
        _typeStream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, this.GetPrimaryKeyString()));
        _allTypesStream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, EventStreams.AllTypesKey));
        _allTypesListening = new AllTypesListening(GrainFactory.GetGrain<IAllTypesListenersGrain>(IAllTypesListenersGrain.Key), time);
        return Task.CompletedTask;
    }

    public Task PublishAsync(ImmutableArray<ObjectEvent> events, CancellationToken cancellationToken)
    {
        if (events.IsDefaultOrEmpty)
        {
            return Task.CompletedTask;
        }

        var publish = new WaitingPublish(events);
        _waiting.Enqueue(publish);
        _waitingEvents += events.Length;
        if (!_writing)
        {
            _writing = true;
            _ = WriteWaitingAsync();
        }

        return publish.Completion.Task;
    }

    // Runs on the grain's scheduler; every failure is handed to the publishes it concerns.
    private async Task WriteWaitingAsync()
    {
        try
        {
            while (_waiting.Count > 0)
            {
                if (_linger > TimeSpan.Zero && _waitingEvents < MaxEventsPerWrite && time.GetElapsedTime(_lastWriteEnded) < _linger)
                {
                    // Back to back (under load): a moment's wait lets this write, and every subscriber's hand-off
                    // of it, carry more events. An idle type writes at once.
                    await Task.Delay(_linger, time);
                }

                var group = new List<WaitingPublish>();
                var total = 0;
                while (_waiting.TryPeek(out var next) && (group.Count == 0 || total + next.Events.Length <= MaxEventsPerWrite))
                {
                    group.Add(_waiting.Dequeue());
                    total += next.Events.Length;
                    _waitingEvents -= next.Events.Length;
                }

                try
                {
                    await WriteAsync(group, total);
                    foreach (var publish in group)
                    {
                        publish.Completion.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    foreach (var publish in group)
                    {
                        publish.Completion.TrySetException(ex);
                    }
                }

                _lastWriteEnded = time.GetTimestamp();
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task WriteAsync(List<WaitingPublish> group, int total)
    {
        // Asked after the group was taken: a publish in it began before the answer, so a listener that arrived
        // before the publish began is known here (see IAllTypesListenersGrain).
        var allTypes = await _allTypesListening.IsListenedAsync();
        var fresh = ImmutableArray.CreateBuilder<ObjectEvent>(total);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var publish in group)
        {
            foreach (var e in publish.Events)
            {
                if (!_accepted.Contains(e.EventId) && seen.Add(e.EventId))
                {
                    fresh.Add(e with { AcceptedAt = now });
                }
            }
        }

        if (fresh.Count != total)
        {
            LogDuplicatesIgnored(logger, this.GetPrimaryKeyString(), total - fresh.Count);
        }

        if (fresh.Count == 0)
        {
            return;
        }

        var batch = fresh.DrainToImmutable();
        if (allTypes)
        {
            // Together, so that on PostgreSQL both go in one group commit.
            await Task.WhenAll(_typeStream.OnNextBatchAsync(batch), _allTypesStream.OnNextBatchAsync(batch));
        }
        else
        {
            await _typeStream.OnNextBatchAsync(batch);
        }

        // Remembered only once the streams hold the events: a publisher that retries after a failure
        // publishes again, and subscribers drop what they already processed.
        foreach (var e in batch)
        {
            _accepted.Add(e.EventId);
        }

        metrics.Published(this.GetPrimaryKeyString(), batch.Length);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored {Count} already accepted events of type {ObjectType}")]
    private static partial void LogDuplicatesIgnored(ILogger logger, string objectType, int count);

    private sealed class WaitingPublish(ImmutableArray<ObjectEvent> events)
    {
        public ImmutableArray<ObjectEvent> Events { get; } = events;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
