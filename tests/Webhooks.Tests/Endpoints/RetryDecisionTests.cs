using Webhooks.Deliveries;
using Webhooks.Endpoints.Sending;
using Webhooks.Endpoints;

namespace Webhooks.Tests.Endpoints;

public sealed class RetryDecisionTests
{
    private static readonly DeliveryAttempt ServerError = new() { Time = DateTimeOffset.UnixEpoch, Duration = TimeSpan.Zero, StatusCode = 500 };

    [Fact]
    public void ExponentialPolicy_DoublesUpToTheCap_ThenGivesUpAfterMaxAttempts()
    {
        var policy = new RetryPolicy
        {
            Exponential = new ExponentialBackoff { Initial = TimeSpan.FromSeconds(1), Multiplier = 2, Max = TimeSpan.FromSeconds(10), MaxAttempts = 6 },
            Jitter = 0,
        };

        var delays = Enumerable.Range(1, 5).Select(made => RetryDecision.NextDelay(policy, made, ServerError, TimeSpan.Zero, 0.5)).ToList();

        Assert.Equal([1, 2, 4, 8, 10], delays.Select(d => d!.Value.TotalSeconds));
        Assert.Null(RetryDecision.NextDelay(policy, 6, ServerError, TimeSpan.Zero, 0.5));
    }

    [Fact]
    public void ARefusedDestination_IsNotRetried_EvenWithAttemptsLeft()
    {
        var refused = new DeliveryAttempt { Time = DateTimeOffset.UnixEpoch, Duration = TimeSpan.Zero, Error = "refused", Refused = true };

        Assert.NotNull(RetryDecision.NextDelay(RetryPolicy.Default, 1, ServerError, TimeSpan.Zero, 0.5));
        Assert.Null(RetryDecision.NextDelay(RetryPolicy.Default, 1, refused, TimeSpan.Zero, 0.5));
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.999999, 1.2)]
    public void Jitter_PlacesTheDelayWithinPlusMinusItsFraction(double random, double factor)
    {
        var delay = RetryDecision.NextDelay(RetryPolicy.Default, 1, ServerError, TimeSpan.Zero, random);

        Assert.Equal(5 * factor, delay!.Value.TotalSeconds, precision: 3);
    }

    [Theory]
    [InlineData(429, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(500, false)]
    [InlineData(301, false)]
    [InlineData(404, false)]
    public void Throttling_IsTooManyRequestsGatewayErrorsAndTimeouts(int status, bool throttled)
    {
        Assert.Equal(throttled, RetryDecision.IsThrottled(ServerError with { StatusCode = status }));
        Assert.True(RetryDecision.IsThrottled(ServerError with { StatusCode = 0, TimedOut = true }));
        Assert.False(RetryDecision.IsSuccess(ServerError with { StatusCode = status }));
    }
}
