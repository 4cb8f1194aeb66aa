using System.Diagnostics;
using Grpc.Core;
using Webhooks.Benchmarks.Workload;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Benchmarks.Harness;

/// <summary>Publishes events through the real gRPC API with PublishBatch. A batch refused with
/// RESOURCE_EXHAUSTED (the service's queues stayed full) is sent again unchanged: same event ids, so the service
/// deduplicates anything it had already accepted.</summary>
public sealed class Publisher(Proto.Events.EventsClient client, EventFactory factory)
{
    private const int MaxAttemptsPerBatch = 1000;

    private long _batches;
    private long _retries;
    private long _errors;
    private volatile string? _failure;

    public long Batches => Interlocked.Read(ref _batches);
    public long Retries => Interlocked.Read(ref _retries);
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Set when a batch could not be published at all; the run is then a failure.</summary>
    public string? Failure => _failure;

    /// <summary>Closed loop: <paramref name="publishers"/> callers take the next batch as soon as their previous
    /// one is accepted, so the service's backpressure sets the pace.</summary>
    public async Task RunClosedLoopAsync(int first, int count, int batchSize, int publishers, CancellationToken cancellationToken)
    {
        var batchCount = (count + batchSize - 1) / batchSize;
        var next = -1;
        var workers = Enumerable.Range(0, publishers).Select(_ => Task.Run(async () =>
        {
            int b;
            while ((b = Interlocked.Increment(ref next)) < batchCount && _failure is null)
            {
                var start = first + (b * batchSize);
                var end = Math.Min(first + count, start + batchSize);
                var request = new Proto.PublishBatchRequest();
                for (var i = start; i < end; i++)
                {
                    request.Events.Add(factory.Create(i, 0));
                }

                var sent = Stopwatch.GetTimestamp();
                foreach (var e in request.Events)
                {
                    EventFactory.Stamp(e, sent);
                }

                await SendAsync(request, cancellationToken);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
    }

    /// <summary>Open loop at a fixed rate: event i is due at start + i / rate. Every tick sends what is due as
    /// one batch without waiting for earlier batches (at most <paramref name="maxOutstanding"/> in flight), so a
    /// slow service shows up as latency, and as schedule lag if even the outstanding limit is reached.</summary>
    public async Task<double> RunAtRateAsync(int count, double rate, int maxBatch, int maxOutstanding, CancellationToken cancellationToken)
    {
        using var outstanding = new SemaphoreSlim(maxOutstanding);
        var inFlight = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var next = 0;
        long maxLag = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        while (next < count && _failure is null)
        {
            var now = Stopwatch.GetTimestamp();
            var due = (int)Math.Min(count, Math.Floor((now - start) / (double)Stopwatch.Frequency * rate) + 1);
            while (next < due && _failure is null)
            {
                var scheduled = start + (long)(next / rate * Stopwatch.Frequency);
                var end = Math.Min(due, next + maxBatch);
                var request = new Proto.PublishBatchRequest();
                for (var i = next; i < end; i++)
                {
                    request.Events.Add(factory.Create(i, 0));
                }

                next = end;
                await outstanding.WaitAsync(cancellationToken);
                var sent = Stopwatch.GetTimestamp();
                maxLag = Math.Max(maxLag, sent - scheduled);
                foreach (var e in request.Events)
                {
                    EventFactory.Stamp(e, sent);
                }

                inFlight.Add(SendAndReleaseAsync(request, outstanding, cancellationToken));
            }

            if (next < count)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }

            inFlight.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(inFlight);
        return maxLag * 1000.0 / Stopwatch.Frequency;
    }

    private async Task SendAndReleaseAsync(Proto.PublishBatchRequest request, SemaphoreSlim outstanding, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(request, cancellationToken);
        }
        finally
        {
            outstanding.Release();
        }
    }

    private async Task SendAsync(Proto.PublishBatchRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.PublishBatchAsync(request, cancellationToken: cancellationToken);
                Interlocked.Increment(ref _batches);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.ResourceExhausted or StatusCode.Unavailable && attempt < MaxAttemptsPerBatch
                                          && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
            }
            catch (RpcException ex)
            {
                Interlocked.Increment(ref _errors);
                _failure ??= $"PublishBatch failed: {ex.StatusCode} {ex.Status.Detail}";
                return;
            }
        }
    }
}
