using System.Collections.Concurrent;
using System.Diagnostics;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A steady, open-loop publisher: a batch of <see cref="BatchSize"/> new events (ids from
/// <see cref="EventIds"/>, indexes counting up) every <c>interval</c>, paced by a timer and not by the previous
/// batches, so a slow or failing silo does not slow the load down. A batch whose publish fails is sent again, same
/// events, until a publish returns (<see cref="PublishRetries"/>); only batches whose publish returned count as
/// accepted, each with the time it was accepted.</summary>
public sealed class SteadyLoad(string run, int batchSize, TimeSpan interval)
{
    private readonly PublishRetries _retries = new();
    private readonly ConcurrentDictionary<int, DateTimeOffset> _acceptedAt = new();
    private int _issued;
    private int _givenUp;
    private volatile bool _stopping;

    public EventIds Ids { get; } = new(run);

    public int BatchSize => batchSize;

    /// <summary>Events whose batch was sent at least once.</summary>
    public int Issued => Volatile.Read(ref _issued) * batchSize;

    public int AcceptedCount => _acceptedAt.Count * batchSize;

    /// <summary>Batches no publish of which returned before their retries ran out.</summary>
    public int GivenUp => Volatile.Read(ref _givenUp);

    /// <summary>Publishes that failed and were (or would have been) sent again.</summary>
    public long Retries => _retries.Count;

    public CountByKey Failures => _retries.Failures;

    /// <summary>Each accepted event's index and when its publish returned, in index order.</summary>
    public IEnumerable<(int Index, DateTimeOffset AcceptedAt)> Accepted =>
        _acceptedAt.OrderBy(b => b.Key).SelectMany(b => Enumerable.Range(b.Key, batchSize).Select(i => (i, b.Value)));

    /// <summary>Batches being retried give up after their current attempt (the test is over).</summary>
    public void Stop() => _stopping = true;

    /// <summary>Every (endpoint, event id) pair the accepted events must produce, in event order.</summary>
    public List<(int Endpoint, string EventId)> ExpectedPairs(Func<int, IEnumerable<int>> endpointsOf) =>
        [.. Accepted.SelectMany(a => endpointsOf(a.Index).Select(k => (k, Ids.Of(a.Index))))];

    /// <summary>Sends a batch every interval until <paramref name="stop"/> is cancelled, then waits for the batches
    /// still being retried. Rethrows the first batch that failed other than by its publish (a failed assertion).</summary>
    /// <param name="batch">For the index of a batch's first event: one publish attempt of that batch, made again on
    /// each retry, returning null when the publish returned and otherwise what failed.</param>
    /// <param name="retryFor">How long after its first attempt a batch is still retried.</param>
    public async Task RunAsync(Func<int, Func<Task<string?>>> batch, TimeSpan retryFor, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var batches = new List<Task>();
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                // The timer drops ticks it could not deliver in time: send every batch that is due by now.
                for (var due = (int)(clock.Elapsed / interval) + 1; Volatile.Read(ref _issued) < due;)
                {
                    batches.Add(PublishAsync(Interlocked.Increment(ref _issued) - 1, batch, retryFor));
                }

                if (batches.FirstOrDefault(b => b.IsFaulted) is { } failed)
                {
                    await failed;
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped: no new batches.
        }
        catch
        {
            Stop();
            throw;
        }

        await Task.WhenAll(batches);
    }

    private async Task PublishAsync(int number, Func<int, Func<Task<string?>>> batch, TimeSpan retryFor)
    {
        // Off the timer's loop: the attempt's synchronous part (building the request, a failing connect) must not
        // delay the next batch.
        await Task.Yield();
        var first = number * batchSize;
        if (await _retries.UntilAcceptedAsync(batch(first), DateTime.UtcNow + retryFor, () => _stopping))
        {
            _acceptedAt[first] = DateTimeOffset.UtcNow;
        }
        else
        {
            Interlocked.Increment(ref _givenUp);
        }
    }
}
