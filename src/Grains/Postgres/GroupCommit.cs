using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webhooks.Postgres;

/// <summary>One unit of work for a <see cref="GroupCommit{TItem}"/>; completes when the transaction holding it
/// commits or fails.</summary>
internal abstract class GroupCommitItem
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _done.Task;

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception exception) => _done.TrySetException(exception);
}

/// <summary>Group commit: writes that arrive while a transaction is in flight wait and go together in the next
/// one, so a burst of concurrent callers costs a few round trips and fsyncs, not one each. Callers await their
/// item, which completes only after its transaction committed.</summary>
internal sealed partial class GroupCommit<TItem> : IAsyncDisposable
    where TItem : GroupCommitItem
{
    private readonly Channel<TItem> _items = Channel.CreateUnbounded<TItem>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task> _flush;
    private readonly Func<TItem, int> _weight;
    private readonly int _maxWeight;
    private readonly string _what;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _writers;

    /// <param name="flush">Writes the items in one transaction. Throwing fails every item of the batch.</param>
    /// <param name="weight">An item's share of <paramref name="maxWeight"/> (rows, say).</param>
    /// <param name="writers">Transactions in flight at once.</param>
    public GroupCommit(string what, Func<IReadOnlyList<TItem>, CancellationToken, Task> flush, Func<TItem, int> weight, int maxWeight, int writers, ILogger logger)
    {
        _what = what;
        _flush = flush;
        _weight = weight;
        _maxWeight = maxWeight;
        _logger = logger;
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Queues the item and waits for its transaction.</summary>
    public Task WriteAsync(TItem item, CancellationToken cancellationToken = default)
    {
        if (!_items.Writer.TryWrite(item))
        {
            item.Fail(new ObjectDisposedException(nameof(GroupCommit<TItem>), "the silo is stopping"));
        }

        // The write itself is not cancellable once queued: it may commit regardless.
        return cancellationToken.CanBeCanceled ? item.Completion.WaitAsync(cancellationToken) : item.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        _items.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync();
        }

        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<TItem>();
        var reader = _items.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            var weight = 0;
            while (weight < _maxWeight && reader.TryRead(out var item))
            {
                batch.Add(item);
                weight += _weight(item);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await _flush(batch, _stopping.Token);
                foreach (var item in batch)
                {
                    item.Complete();
                }
            }
            catch (Exception ex) when (batch.Count > 1 && !PostgresFailures.IsUnavailable(ex) && !_stopping.IsCancellationRequested)
            {
                // The database refused something in the batch: one item at a time, so that it fails only its own
                // caller, not every endpoint whose write happened to share the transaction.
                foreach (var item in batch)
                {
                    await FlushAsync([item]);
                }
            }
            catch (Exception ex)
            {
                Fail(batch, ex);
            }
        }
    }

    private async Task FlushAsync(IReadOnlyList<TItem> items)
    {
        try
        {
            await _flush(items, _stopping.Token);
            foreach (var item in items)
            {
                item.Complete();
            }
        }
        catch (Exception ex)
        {
            Fail(items, ex);
        }
    }

    private void Fail(IReadOnlyList<TItem> items, Exception ex)
    {
        var failure = PostgresFailures.Translate(ex, _what);
        if (ReferenceEquals(failure, ex))
        {
            LogFlushFailed(_logger, ex, _what, items.Count);
        }

        foreach (var item in items)
        {
            item.Fail(failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {What} failed for a batch of {Count}")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string what, int count);
}
