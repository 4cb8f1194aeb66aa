using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Webhooks.Errors;

namespace Webhooks.Streaming;

/// <summary>In-memory bounded stream queue. Reentrant so that the reader keeps draining and acknowledging
/// while publishers wait for room; every state change happens between awaits, so turns never overlap.</summary>
[GrainType("event-queue"), Reentrant]
internal sealed class EventQueueGrain(IOptions<EventQueueOptions> options, TimeProvider time) : Grain, IEventQueueGrain
{
    private readonly int _capacity = options.Value.QueueCapacity;
    private readonly SortedDictionary<long, EventBatch> _unacknowledged = [];
    private Queue<EventBatch> _ready = new();
    private long _nextSequence = 1;
    private int _eventCount;
    private TaskCompletionSource? _roomAvailable;

    public async Task EnqueueAsync(EventBatch batch, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var count = batch.Events.Length;
        if (count == 0)
        {
            return;
        }

        var deadline = time.GetTimestamp() + (long)(maxWait.TotalSeconds * time.TimestampFrequency);
        // An oversized batch is still let into an empty queue, or it could never be accepted.
        while (_eventCount > 0 && _eventCount + count > _capacity)
        {
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw new BacklogFullException(
                    $"the event queue stayed full ({_eventCount} events waiting for delivery) for {maxWait.TotalSeconds:0.#} s; publish again later");
            }

            _roomAvailable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await _roomAvailable.Task.WaitAsync(remaining, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Loop once more: the check above produces the error with the current numbers.
            }
        }

        var stored = batch with { SequenceNumber = _nextSequence++ };
        _unacknowledged.Add(stored.SequenceNumber, stored);
        _ready.Enqueue(stored);
        _eventCount += count;
    }

    public Task<ImmutableArray<EventBatch>> DequeueAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_ready.Count == 0)
        {
            return Task.FromResult(ImmutableArray<EventBatch>.Empty);
        }

        var result = ImmutableArray.CreateBuilder<EventBatch>(Math.Min(maxCount, _ready.Count));
        while (result.Count < maxCount && _ready.TryDequeue(out var batch))
        {
            // Skips batches acknowledged after a rewind put them back.
            if (_unacknowledged.ContainsKey(batch.SequenceNumber))
            {
                result.Add(batch);
            }
        }

        return Task.FromResult(result.ToImmutable());
    }

    public Task AckAsync(ImmutableArray<long> sequenceNumbers, CancellationToken cancellationToken)
    {
        foreach (var sequence in sequenceNumbers)
        {
            if (_unacknowledged.Remove(sequence, out var batch))
            {
                _eventCount -= batch.Events.Length;
            }
        }

        if (_roomAvailable is { } room)
        {
            _roomAvailable = null;
            room.TrySetResult();
        }

        return Task.CompletedTask;
    }

    public Task RewindAsync(CancellationToken cancellationToken)
    {
        _ready = new Queue<EventBatch>(_unacknowledged.Values);
        return Task.CompletedTask;
    }

    public Task<int> GetCountAsync(CancellationToken cancellationToken) => Task.FromResult(_eventCount);
}
