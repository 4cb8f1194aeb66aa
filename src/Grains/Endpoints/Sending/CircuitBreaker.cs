using Webhooks.Endpoints;

namespace Webhooks.Endpoints.Sending;

/// <summary>An endpoint's circuit: closed while attempts succeed; open after too many failures in a row, when
/// nothing is sent until a probe is due; half-open while that one probe is out.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class CircuitBreaker
{
    public CircuitState State { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    /// <summary>When the current run of failures began; null after a success.</summary>
    public DateTimeOffset? FailingSince { get; private set; }

    /// <summary>While open: when the next probe may go.</summary>
    public DateTimeOffset? NextProbeAt { get; private set; }

    /// <summary>Continues from a saved run of failures; an open circuit probes at once, since the probe that was
    /// due may have been lost with the previous activation.</summary>
    public void Restore(int consecutiveFailures, DateTimeOffset? failingSince, bool open, DateTimeOffset now)
    {
        ConsecutiveFailures = consecutiveFailures;
        FailingSince = failingSince;
        State = open ? CircuitState.Open : CircuitState.Closed;
        NextProbeAt = open ? now : null;
    }

    /// <summary>Whether an attempt may go now; if not, when to ask again (<see cref="DateTimeOffset.MaxValue"/>:
    /// when the probe that is out comes back). An open circuit whose probe is due turns half-open for the caller.</summary>
    public DateTimeOffset? TryAcquire(DateTimeOffset now)
    {
        switch (State)
        {
            case CircuitState.Closed:
                return null;
            case CircuitState.Open when now >= NextProbeAt:
                State = CircuitState.HalfOpen;
                NextProbeAt = null;
                return null;
            case CircuitState.Open:
                return NextProbeAt;
            default:
                return DateTimeOffset.MaxValue;
        }
    }

    /// <summary>A probe that was acquired but not sent (paused, shutting down): the next caller may probe.</summary>
    public void Release(DateTimeOffset now)
    {
        if (State == CircuitState.HalfOpen)
        {
            (State, NextProbeAt) = (CircuitState.Open, now);
        }
    }

    /// <summary>Returns true when this changed the state worth keeping (a run of failures ended).</summary>
    public bool OnSuccess()
    {
        var changed = ConsecutiveFailures > 0 || State != CircuitState.Closed;
        (State, ConsecutiveFailures, FailingSince, NextProbeAt) = (CircuitState.Closed, 0, null, null);
        return changed;
    }

    /// <summary>Returns true when this changed the state worth keeping (a run of failures began, or the circuit
    /// opened).</summary>
    public bool OnFailure(CircuitBreakerPolicy policy, DateTimeOffset now)
    {
        ConsecutiveFailures++;
        var changed = FailingSince is null;
        FailingSince ??= now;
        var opens = State == CircuitState.HalfOpen
            || (State == CircuitState.Closed && policy.FailureThreshold > 0 && ConsecutiveFailures >= policy.FailureThreshold);
        if (opens)
        {
            changed |= State == CircuitState.Closed;
            (State, NextProbeAt) = (CircuitState.Open, now + policy.ProbeInterval);
        }

        return changed;
    }
}
