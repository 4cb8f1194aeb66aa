using Webhooks.Deliveries;

namespace Webhooks.Endpoints.Sending;

/// <summary>What an attempt's outcome does to an endpoint's health: it feeds the circuit breaker, and an endpoint
/// that answered 410 Gone, or has done nothing but fail for its disable window, is to be disabled.</summary>
internal static class EndpointHealth
{
    /// <param name="defaultDisableAfter">The disable window of endpoints without one of their own (zero: never).</param>
    /// <param name="lastError">The outcome as the endpoint's status describes it, for the disable reason.</param>
    public static HealthVerdict Observe(
        CircuitBreaker breaker,
        EndpointDefinition definition,
        TimeSpan defaultDisableAfter,
        DeliveryRecord record,
        DeliveryAttempt outcome,
        string lastError,
        DateTimeOffset now)
    {
        var changed = RetryDecision.IsSuccess(outcome)
            ? breaker.OnSuccess()
            : breaker.OnFailure(definition.CircuitBreaker ?? CircuitBreakerPolicy.Default, now);
        string? disable = null;
        if (RetryDecision.IsGone(outcome))
        {
            disable = $"HTTP 410 Gone from {record.Url} at {outcome.Time:u}";
        }
        else if (breaker.FailingSince is { } since && (definition.DisableAfter ?? defaultDisableAfter) is var window
            && window > TimeSpan.Zero && now - since >= window)
        {
            disable = $"every attempt failed since {since:u} (disable_after {window:c}); last: {lastError}";
        }

        return new HealthVerdict(changed, disable);
    }
}

/// <param name="CircuitChanged">The breaker changed in a way worth keeping (a run of failures began or ended, the
/// circuit opened).</param>
/// <param name="DisableReason">Why the endpoint must stop sending; null when it may go on.</param>
internal readonly record struct HealthVerdict(bool CircuitChanged, string? DisableReason);
