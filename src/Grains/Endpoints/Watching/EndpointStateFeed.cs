using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Webhooks.Endpoints.Watching;

/// <summary>This silo's endpoint state changes, on their way to the subscribed observers: endpoint grains hand in
/// their latest state, and a timer sends what changed to every observer in one message, a few times a second.
/// Nothing is kept or sent while nobody is subscribed.</summary>
public sealed partial class EndpointStateFeed : IAsyncDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a subscription lasts unless renewed (<see cref="IEndpointStateHubGrain.SubscribeAsync"/>).</summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, EndpointStatus> _changed = new(StringComparer.Ordinal);
    private readonly Dictionary<IEndpointStateObserver, DateTimeOffset> _observers = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private volatile bool _hasObservers;

    public EndpointStateFeed(TimeProvider time, ILogger<EndpointStateFeed> logger)
    {
        (_time, _logger) = (time, logger);
        _timer = time.CreateTimer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Whether anyone is subscribed: endpoint grains build and hand in their state only then.</summary>
    public bool HasObservers => _hasObservers;

    public void Subscribe(IEndpointStateObserver observer)
    {
        lock (_lock)
        {
            _observers[observer] = _time.GetUtcNow() + SubscriptionLifetime;
            _hasObservers = true;
        }
    }

    public void Unsubscribe(IEndpointStateObserver observer)
    {
        lock (_lock)
        {
            _observers.Remove(observer);
            _hasObservers = _observers.Count > 0;
        }
    }

    /// <summary>An endpoint's state now; a later one before the next flush replaces it.</summary>
    public void Changed(EndpointStatus status)
    {
        lock (_lock)
        {
            if (_hasObservers)
            {
                _changed[status.EndpointId] = status;
            }
        }
    }

    public async ValueTask DisposeAsync() => await _timer.DisposeAsync();

    private void Flush()
    {
        ImmutableArray<EndpointStatus> states;
        IEndpointStateObserver[] observers;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (observer, _) in _observers.Where(o => o.Value < now).ToList())
            {
                _observers.Remove(observer);
            }

            _hasObservers = _observers.Count > 0;
            if (_changed.Count == 0 || !_hasObservers)
            {
                _changed.Clear();
                return;
            }

            states = [.. _changed.Values];
            _changed.Clear();
            observers = [.. _observers.Keys];
        }

        foreach (var observer in observers)
        {
            try
            {
                // One-way: a slow or gone observer costs this silo nothing but the message.
                _ = observer.OnStates(states);
            }
            catch (Exception ex)
            {
                LogPushFailed(_logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pushing endpoint states to a watcher failed")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);
}
