using Microsoft.Extensions.Logging;
using Webhooks.Deliveries;

namespace Webhooks.Endpoints.Sending;

/// <summary>Decides when an endpoint's next attempt may go: the endpoint sends (not paused or disabled, not
/// deactivating), its circuit lets the attempt through (closed, or this attempt is the half-open probe), and its
/// rate limit has a token. Waiting sends hold their slot; nothing polls.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed partial class SendGate(
    string endpointId,
    EndpointStateWriter endpoint,
    TimeSpan defaultDisableAfter,
    TimeProvider time,
    ILogger logger)
{
    private readonly CircuitBreaker _breaker = new();
    private readonly TokenBucket _bucket = new(time);
    // Completed whenever what decides whether a send may go changes (circuit, pause, definition).
    private TaskCompletionSource? _changed;
    // The delivery whose attempt is the half-open circuit's probe, until its outcome is known.
    private long? _probe;

    /// <summary>Raised whenever what decides whether sends go changes (also for memory admission, whose bound
    /// depends on whether the endpoint is getting through).</summary>
    public event Action? Changed;

    /// <summary>Paused by an operator or disabled (410 Gone, failing too long): deliveries are accepted and kept,
    /// nothing is sent.</summary>
    public bool IsSending => !endpoint.State.Paused && endpoint.State.DisabledReason is null;

    /// <summary>The activation is going away: no new attempt starts.</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The last attempt failed.</summary>
    public bool IsFailing => _breaker.ConsecutiveFailures > 0;

    public CircuitState Circuit => _breaker.State;

    public int ConsecutiveFailures => _breaker.ConsecutiveFailures;

    public DateTimeOffset? FailingSince => _breaker.FailingSince;

    public DateTimeOffset? NextProbeAt => _breaker.NextProbeAt;

    /// <summary>Continues the stored run of failures (the auto-disable window spans activations).</summary>
    public void Restore() =>
        _breaker.Restore(endpoint.State.ConsecutiveFailures, endpoint.State.FailingSince, endpoint.State.CircuitOpen, time.GetUtcNow());

    public void Stop() => IsStopped = true;

    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        if (!endpoint.State.Paused)
        {
            endpoint.State.Paused = true;
            await endpoint.WriteAsync(cancellationToken);
            Signal();
        }
    }

    /// <summary>Sends again after a pause or after the endpoint disabled itself.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        if (endpoint.State.Paused || endpoint.State.DisabledReason is not null)
        {
            endpoint.State.Paused = false;
            endpoint.State.DisabledReason = null;
            await endpoint.WriteAsync(cancellationToken);
            Signal();
        }
    }

    /// <summary>Wakes everything waiting on the gate to decide again.</summary>
    public void Signal()
    {
        Changed?.Invoke();
        if (_changed is { } changed)
        {
            _changed = null;
            changed.TrySetResult();
        }
    }

    /// <summary>Waits until the attempt of delivery <paramref name="sequence"/> may go. False when the endpoint
    /// stopped sending (paused, disabled, deleted, deactivating) instead.</summary>
    public async Task<bool> WaitForTurnAsync(long sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (IsStopped || !IsSending || endpoint.Definition is not { } definition)
            {
                return false;
            }

            var now = time.GetUtcNow();
            var retryAt = _breaker.TryAcquire(now);
            if (retryAt is null)
            {
                if (_breaker.State == CircuitState.HalfOpen)
                {
                    _probe = sequence;
                }

                var wait = _bucket.Reserve(definition.RateLimit);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                return !IsStopped && IsSending;
            }

            var changed = (_changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            if (retryAt == DateTimeOffset.MaxValue)
            {
                await changed.WaitAsync(cancellationToken);
            }
            else
            {
                try
                {
                    await changed.WaitAsync(retryAt.Value - now, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The probe is due: the loop takes it.
                }
            }
        }
    }

    /// <summary>A delivery that took the probe ended without an outcome (paused, deactivating, crashed): another
    /// may probe, or the circuit would stay half-open.</summary>
    public void ReleaseProbe(long sequence)
    {
        if (_probe == sequence)
        {
            _probe = null;
            _breaker.Release(time.GetUtcNow());
            Signal();
        }
    }

    /// <summary>Feeds an attempt's outcome to the circuit breaker, disables the endpoint when its health says so,
    /// and keeps what changed.</summary>
    public async Task RecordOutcomeAsync(EndpointDefinition definition, DeliveryRecord record, DeliveryAttempt outcome, string lastError)
    {
        var now = time.GetUtcNow();
        _probe = null;
        var verdict = EndpointHealth.Observe(_breaker, definition, defaultDisableAfter, record, outcome, lastError, now);
        var changed = verdict.CircuitChanged;
        var state = endpoint.State;
        if (verdict.DisableReason is { } disable && state.DisabledReason is null)
        {
            state.DisabledReason = disable;
            LogDisabled(logger, endpointId, disable);
            changed = true;
        }

        if (changed)
        {
            state.FailingSince = _breaker.FailingSince;
            state.ConsecutiveFailures = _breaker.ConsecutiveFailures;
            state.CircuitOpen = _breaker.State != CircuitState.Closed;
            try
            {
                await endpoint.WriteAsync(CancellationToken.None);
            }
            catch (Exception ex) when (verdict.DisableReason is null)
            {
                // Only the failure run's persistence suffers: a new activation would start counting afresh.
                LogHealthNotSaved(logger, ex, endpointId);
            }
        }

        Signal();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled: {Reason}; it keeps deliveries and sends nothing until resumed")]
    private static partial void LogDisabled(ILogger logger, string endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: could not save its circuit breaker state")]
    private static partial void LogHealthNotSaved(ILogger logger, Exception exception, string endpointId);
}
