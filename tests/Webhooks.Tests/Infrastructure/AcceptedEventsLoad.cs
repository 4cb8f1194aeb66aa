namespace Webhooks.Tests.Infrastructure;

/// <summary>The load of a kill test: <see cref="EventCount"/> events (ids "{run}-{index:D5}") in batches of
/// <see cref="BatchSize"/>, taken in order by concurrent publishers. A batch whose publish fails is sent again with
/// the same events until a publish returns or the deadline passes; only batches whose publish returned count as
/// accepted, and the accepted events are what the cluster owes its endpoints (<see cref="ExpectedPairs"/>). Gates
/// (<see cref="HoldFrom"/>) hold batches back until the test's kill has happened, so the kill lands while publishes
/// are in flight however fast publishing runs.</summary>
public sealed class AcceptedEventsLoad(string run, int eventCount, int batchSize, int publishers)
{
    private readonly bool[] _accepted = new bool[eventCount];
    private readonly List<(int FirstEvent, Task Open)> _gates = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private readonly EventIds _ids = new(run);
    private readonly PublishRetries _retries = new();
    private Exception? _ended;
    private int _acceptedCount;
    private volatile bool _stopping;

    /// <summary>This run's id: the prefix of its event ids, unique per test run so that runs sharing a receiver or a
    /// database cannot be mixed up.</summary>
    public string Run => run;

    public int EventCount => eventCount;

    public int BatchSize => batchSize;

    public int AcceptedCount => Volatile.Read(ref _acceptedCount);

    /// <summary>Publishes that failed and were (or would have been) sent again.</summary>
    public long Retries => _retries.Count;

    /// <summary>Failed publishes by the description the attempt returned.</summary>
    public CountByKey Failures => _retries.Failures;

    public string EventId(int index) => _ids.Of(index);

    /// <summary>The index of one of this load's event ids; -1 for any other id (a probe, say).</summary>
    public int EventIndex(string eventId) => _ids.IndexOf(eventId);

    /// <summary>Batches whose first event is at <paramref name="firstEvent"/> or later wait for <paramref name="open"/>
    /// (and fail with it). Call before <see cref="RunAsync"/>.</summary>
    public void HoldFrom(int firstEvent, Task open) => _gates.Add((firstEvent, open));

    /// <summary>Completes once <paramref name="count"/> events are accepted; fails when publishing fails or ends
    /// short of it.</summary>
    public Task WhenAcceptedAsync(int count)
    {
        lock (_waiters)
        {
            if (AcceptedCount >= count)
            {
                return Task.CompletedTask;
            }

            if (_ended is not null)
            {
                return Task.FromException(_ended);
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Publishers give a failing batch up after its current attempt (the test is over).</summary>
    public void Stop() => _stopping = true;

    /// <summary>Every (endpoint, event id) pair the accepted events must produce, in event order.</summary>
    public List<(int Endpoint, string EventId)> ExpectedPairs(Func<int, IEnumerable<int>> endpointsOf)
    {
        var expected = new List<(int Endpoint, string EventId)>();
        for (var i = 0; i < eventCount; i++)
        {
            if (_accepted[i])
            {
                expected.AddRange(endpointsOf(i).Select(k => (k, EventId(i))));
            }
        }

        return expected;
    }

    /// <summary>Publishes every batch; on a publisher's failure (a gate that failed, an attempt that threw) stops the
    /// others' retries and rethrows.</summary>
    /// <param name="batch">For the index of a batch's first event, once its gates are open: one publish attempt of
    /// that batch, made again on each retry, that returns null when the publish returned and otherwise what failed
    /// (counted in <see cref="Failures"/>). It may keep state across a batch's attempts, e.g. the gateway that
    /// failed.</param>
    public async Task RunAsync(TimeSpan timeout, Func<int, Func<Task<string?>>> batch)
    {
        try
        {
            var batches = eventCount / batchSize;
            var next = -1;
            var deadline = DateTime.UtcNow + timeout;
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(async () =>
            {
                int b;
                while ((b = Interlocked.Increment(ref next)) < batches)
                {
                    var first = b * batchSize;
                    if (_gates.Where(g => first >= g.FirstEvent).Select(g => g.Open).ToArray() is { Length: > 0 } gates)
                    {
                        await Task.WhenAll(gates);
                    }

                    if (await _retries.UntilAcceptedAsync(batch(first), deadline, () => _stopping))
                    {
                        Array.Fill(_accepted, true, first, batchSize);
                        Accepted(Interlocked.Add(ref _acceptedCount, batchSize));
                    }
                }
            })));
        }
        catch (Exception ex)
        {
            Stop();
            End(ex);
            throw;
        }

        End(new InvalidOperationException($"publishing ended with {AcceptedCount} of {eventCount} events accepted"));
    }

    private void Accepted(int total)
    {
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => w.Count <= total).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Fails whoever still waits for a count publishing did not reach.</summary>
    private void End(Exception reason)
    {
        lock (_waiters)
        {
            _ended = reason;
            foreach (var waiter in _waiters)
            {
                waiter.Reached.TrySetException(reason);
            }

            _waiters.Clear();
        }
    }
}
