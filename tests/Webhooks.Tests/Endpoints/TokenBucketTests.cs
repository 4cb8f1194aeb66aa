using Microsoft.Extensions.Time.Testing;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Tests.Endpoints;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TokenBucket_GrantsTheBurst_ThenReservesTokensInOrderAtTheRate()
    {
        var clock = new FakeTimeProvider(T0);
        var bucket = new TokenBucket(clock);
        var limit = new RateLimit { RequestsPerSecond = 4, Burst = 2 };

        Assert.Equal(TimeSpan.Zero, bucket.Reserve(limit));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(limit));
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Reserve(limit));
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.Reserve(limit));

        // Tokens accrue with time but never beyond the burst.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(limit));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(limit));
        Assert.Equal(TimeSpan.FromMilliseconds(250), bucket.Reserve(limit));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(null));
    }
}
