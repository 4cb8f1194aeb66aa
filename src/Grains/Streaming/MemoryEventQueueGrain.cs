using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Webhooks.Errors;

namespace Webhooks.Streaming;

/// <summary>In-memory bounded stream queue. Reentrant so that the reader keeps draining and acknowledging
/// while publishers wait for room; every state change happens between awaits, so turns never overlap.</summary>
/// <remarks>The bound counts events not yet handed to the pulling agent. Handed-out batches stay until
/// acknowledged (a new reader gets them again) but do not count: the agent's cache bounds them and stops
/// reading while a slow consumer pins it, which is what fills this queue and holds publishers back. Counting
/// them would deadlock, since the cache releases its newest bucket only when newer events arrive.</remarks>
[GrainType("event-queue"), Reentrant]
internal sealed class MemoryEventQueueGrain(IOptions<EventQueueOptions> options, TimeProvider time) : Grain, IMemoryEventQueueGrain
{
    private readonly int _capacity = options.Value.QueueCapacity;
    private readonly SortedDictionary<long, EventBatch> _unacknowledged = [];
    private Queue<EventBatch> _ready = new();
    private long _nextSequence = 1;
    private int _readyEvents;
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
        while (_readyEvents > 0 && _readyEvents + count > _capacity)
        {
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw new BacklogFullException(
                    $"the event queue stayed full ({_readyEvents} events waiting for delivery) for {maxWait.TotalSeconds:0.#} s; publish again later");
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
        _readyEvents += count;
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
            _readyEvents -= batch.Events.Length;
            // Skips batches acknowledged after a rewind put them back.
            if (_unacknowledged.ContainsKey(batch.SequenceNumber))
            {
                result.Add(batch);
            }
        }

        SignalRoom();
        return Task.FromResult(result.ToImmutable());
    }

    public Task AckAsync(ImmutableArray<long> sequenceNumbers, CancellationToken cancellationToken)
    {
        foreach (var sequence in sequenceNumbers)
        {
            _unacknowledged.Remove(sequence);
        }

        return Task.CompletedTask;
    }

    public Task RewindAsync(CancellationToken cancellationToken)
    {
        _ready = new Queue<EventBatch>(_unacknowledged.Values);
        _readyEvents = _ready.Sum(b => b.Events.Length);
        return Task.CompletedTask;
    }

    private void SignalRoom()
    {
        if (_roomAvailable is { } room)
        {
            _roomAvailable = null;
            room.TrySetResult();
        }
    }
}
