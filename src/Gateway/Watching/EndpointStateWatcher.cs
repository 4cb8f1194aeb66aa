using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Gateway.Watching;

/// <summary>One WatchEndpointStates call: the latest state of each endpoint it watches that changed since it last
/// wrote, and a signal when there is something to write. A watcher that falls behind skips states, it never
/// buffers them: memory per watcher is one state per endpoint, at most.</summary>
public sealed class EndpointStateWatcher(ImmutableHashSet<string>? endpointIds, Action<EndpointStateWatcher> stop) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, EndpointStatus> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0, 1);

    public bool Watches(string endpointId) => endpointIds is null || endpointIds.Contains(endpointId);

    public void Offer(ImmutableArray<EndpointStatus> states)
    {
        var any = false;
        lock (_lock)
        {
            foreach (var state in states)
            {
                if (Watches(state.EndpointId))
                {
                    _pending[state.EndpointId] = state;
                    any = true;
                }
            }
        }

        if (any && _signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
            catch (ObjectDisposedException)
            {
                // The call ended meanwhile.
            }
        }
    }

    /// <summary>Waits for changes and takes them: the latest state of each endpoint that changed.</summary>
    public async Task<IReadOnlyList<EndpointStatus>> NextAsync(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken);
        lock (_lock)
        {
            var states = _pending.Values.ToList();
            _pending.Clear();
            return states;
        }
    }

    public void Dispose()
    {
        stop(this);
        _signal.Dispose();
    }
}
