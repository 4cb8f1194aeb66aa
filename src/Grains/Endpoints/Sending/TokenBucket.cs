using Webhooks.Endpoints;

namespace Webhooks.Endpoints.Sending;

/// <summary>An endpoint's rate limit. A caller reserves a token and learns how long to wait for it, so waiting is
/// one timer and callers are served in the order they asked (nothing polls).</summary>
/// <remarks>Written against <see cref="TimeProvider"/> timestamps rather than System.Threading.RateLimiting, whose
/// limiters replenish on their own real-time timers, which tests with a controlled clock cannot drive.
/// Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class TokenBucket(TimeProvider time)
{
    private double _tokens;
    private long _updatedAt;
    private RateLimit? _limit;

    /// <summary>Takes a token; returns how long the caller must wait before using it (zero: go now).</summary>
    public TimeSpan Reserve(RateLimit? limit)
    {
        if (limit is null || limit.RequestsPerSecond <= 0)
        {
            _limit = null;
            return TimeSpan.Zero;
        }

        var now = time.GetTimestamp();
        if (_limit != limit)
        {
            // A new or changed limit starts with a full bucket.
            (_limit, _tokens, _updatedAt) = (limit, limit.Burst, now);
        }

        var burst = Math.Max(1, limit.Burst);
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_updatedAt, now).TotalSeconds * limit.RequestsPerSecond));
        _updatedAt = now;
        _tokens -= 1;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / limit.RequestsPerSecond);
    }
}
