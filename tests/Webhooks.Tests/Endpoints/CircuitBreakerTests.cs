using Webhooks.Endpoints.Sending;
using Webhooks.Endpoints;

namespace Webhooks.Tests.Endpoints;

public sealed class CircuitBreakerTests
{
    private static readonly CircuitBreakerPolicy Policy = new() { FailureThreshold = 3, ProbeInterval = TimeSpan.FromSeconds(30) };
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Breaker_OpensAtTheThreshold_LetsOneProbeThroughWhenDue_AndReopensWhenItFails()
    {
        var breaker = new CircuitBreaker();
        Assert.True(breaker.OnFailure(Policy, T0)); // a run of failures begins
        Assert.False(breaker.OnFailure(Policy, T0.AddSeconds(1)));
        Assert.Null(breaker.TryAcquire(T0.AddSeconds(1)));
        Assert.True(breaker.OnFailure(Policy, T0.AddSeconds(2))); // opens
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(T0, breaker.FailingSince);

        Assert.Equal(T0.AddSeconds(32), breaker.TryAcquire(T0.AddSeconds(31)));
        Assert.Null(breaker.TryAcquire(T0.AddSeconds(32)));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.Equal(DateTimeOffset.MaxValue, breaker.TryAcquire(T0.AddSeconds(32))); // one probe at a time

        breaker.OnFailure(Policy, T0.AddSeconds(33));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(T0.AddSeconds(63), breaker.NextProbeAt);
        Assert.Equal(4, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void Breaker_ClosesOnSuccess_AndAReleasedProbeCanBeTakenAgain()
    {
        var breaker = new CircuitBreaker();
        breaker.Restore(5, T0, open: true, T0.AddMinutes(1));
        Assert.Null(breaker.TryAcquire(T0.AddMinutes(1))); // an open circuit restored probes at once
        breaker.Release(T0.AddMinutes(1));
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Null(breaker.TryAcquire(T0.AddMinutes(1)));

        Assert.True(breaker.OnSuccess());
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.ConsecutiveFailures);
        Assert.Null(breaker.FailingSince);
        Assert.False(breaker.OnSuccess());
    }

    [Fact]
    public void Breaker_WithThresholdZero_NeverOpens_ButStillTracksTheFailingRun()
    {
        var breaker = new CircuitBreaker();
        for (var i = 0; i < 100; i++)
        {
            breaker.OnFailure(Policy with { FailureThreshold = 0 }, T0.AddMinutes(i));
        }

        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(T0, breaker.FailingSince);
        Assert.Null(breaker.TryAcquire(T0.AddHours(2)));
    }
}
