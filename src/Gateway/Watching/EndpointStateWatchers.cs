using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Webhooks.Endpoints;

namespace Webhooks.Gateway.Watching;

/// <summary>Serves every WatchEndpointStates call of this process from one subscription per silo: while anyone
/// watches, this process is subscribed (as one observer) to each silo's <see cref="IEndpointStateHubGrain"/>, keeps
/// the latest state of each endpoint it has seen, and hands changes to the watchers whose filter they pass. A
/// watcher costs the grains nothing: not a call, not a message.</summary>
public sealed partial class EndpointStateWatchers : IEndpointStateObserver, IAsyncDisposable
{
    // Subscriptions lapse after a minute without renewal; a silo that joins is found at the next renewal.
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(10);

    private readonly IGrainFactory _grains;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, EndpointStatus> _latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<EndpointStateWatcher, byte> _watchers = new();
    private readonly Lock _lock = new();
    private IEndpointStateObserver? _reference;
    private CancellationTokenSource? _subscribed;
    private Task _renewing = Task.CompletedTask;

    public EndpointStateWatchers(IGrainFactory grains, ILogger<EndpointStateWatchers> logger) => (_grains, _logger) = (grains, logger);

    /// <summary>The latest state seen of an endpoint, if any: pushed by its silo since this process subscribed.</summary>
    public EndpointStatus? Latest(string endpointId) => _latest.GetValueOrDefault(endpointId);

    /// <summary>Remembers a state read from the endpoint itself (a watcher's first answer), unless a newer one was pushed.</summary>
    public void Seen(EndpointStatus status) => _latest.TryAdd(status.EndpointId, status);

    /// <summary>Starts a watcher; dispose it to stop. The first one subscribes this process to every silo.</summary>
    public async Task<EndpointStateWatcher> WatchAsync(ImmutableHashSet<string>? endpointIds)
    {
        var watcher = new EndpointStateWatcher(endpointIds, w => Remove(w));
        _watchers[watcher] = 0;
        Task subscribing;
        lock (_lock)
        {
            if (_subscribed is null)
            {
                _subscribed = new CancellationTokenSource();
                _reference = _grains.CreateObjectReference<IEndpointStateObserver>(this);
                var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _renewing = RenewAsync(_reference, first, _subscribed.Token);
                subscribing = first.Task;
            }
            else
            {
                subscribing = Task.CompletedTask;
            }
        }

        await subscribing;
        return watcher;
    }

    public Task OnStates(ImmutableArray<EndpointStatus> states)
    {
        foreach (var state in states)
        {
            _latest[state.EndpointId] = state;
        }

        foreach (var watcher in _watchers.Keys)
        {
            watcher.Offer(states);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        CancellationTokenSource? subscribed;
        lock (_lock)
        {
            subscribed = _subscribed;
            _subscribed = null;
        }

        if (subscribed is not null)
        {
            await subscribed.CancelAsync();
            await _renewing;
            subscribed.Dispose();
        }
    }

    private void Remove(EndpointStateWatcher watcher)
    {
        _watchers.TryRemove(watcher, out _);
        CancellationTokenSource? stop = null;
        lock (_lock)
        {
            if (_watchers.IsEmpty && _subscribed is not null)
            {
                stop = _subscribed;
                _subscribed = null;
            }
        }

        if (stop is not null)
        {
            // Nobody watches: stop renewing, let the silos forget this observer, and forget what was seen (it
            // would go stale without pushes).
            stop.Cancel();
            _latest.Clear();
        }
    }

    private async Task RenewAsync(IEndpointStateObserver reference, TaskCompletionSource first, CancellationToken stop)
    {
        var silos = ImmutableArray<string>.Empty;
        try
        {
            using var timer = new PeriodicTimer(Renewal);
            do
            {
                try
                {
                    var hosts = await _grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, stop);
                    silos = [.. hosts.Keys.Select(silo => silo.ToParsableString())];
                    await Task.WhenAll(silos.Select(silo => _grains.GetGrain<IEndpointStateHubGrain>(silo).SubscribeAsync(reference)));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRenewalFailed(_logger, ex);
                }

                first.TrySetResult();
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            first.TrySetResult();
            foreach (var silo in silos)
            {
                _ = _grains.GetGrain<IEndpointStateHubGrain>(silo).UnsubscribeAsync(reference);
            }

            _grains.DeleteObjectReference<IEndpointStateObserver>(reference);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to endpoint state changes failed; retrying")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);
}
