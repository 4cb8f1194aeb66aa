using Webhooks.Deliveries;
using Webhooks.Endpoints;

namespace Webhooks.Endpoints.Sending;

/// <summary>What an attempt's outcome means for the delivery: done, retry after how long, or give up.</summary>
/// <remarks>Only 2xx is success (redirects are not followed, so 3xx fails). 410 Gone disables the endpoint.
/// 429, 502, 503, 504 and timeouts are throttling: the receiver asked for air, so the next attempt waits at least
/// the throttle minimum, and a Retry-After is honoured within 1× to 2× the scheduled delay (a receiver can slow
/// us down, but neither stall a delivery for days nor make us hammer it). A destination the outbound address
/// policy refused is final: the next attempt would be refused the same way.</remarks>
public static class RetryDecision
{
    public static bool IsSuccess(DeliveryAttempt attempt) => attempt.StatusCode is >= 200 and < 300;

    public static bool IsGone(DeliveryAttempt attempt) => attempt.StatusCode == 410;

    public static bool IsThrottled(DeliveryAttempt attempt) => attempt.StatusCode is 429 or 502 or 503 or 504 || attempt.TimedOut;

    /// <summary>The wait before the next attempt, or null when the delivery has no attempts left.</summary>
    /// <param name="attemptsMade">Attempts made so far, <paramref name="last"/> included.</param>
    /// <param name="random">A uniform sample in [0, 1) that places the delay within its jitter.</param>
    public static TimeSpan? NextDelay(RetryPolicy policy, int attemptsMade, DeliveryAttempt last, TimeSpan throttleMinimum, double random)
    {
        if (attemptsMade >= policy.MaxAttempts || last.Refused)
        {
            return null;
        }

        var scheduled = policy.BaseDelay(attemptsMade) * (1 + policy.Jitter * (2 * random - 1));
        if (!IsThrottled(last))
        {
            return scheduled;
        }

        var wait = last.RetryAfter is { } asked
            ? TimeSpan.FromTicks(Math.Clamp(asked.Ticks, scheduled.Ticks, 2 * scheduled.Ticks))
            : scheduled;
        return wait < throttleMinimum ? throttleMinimum : wait;
    }
}
