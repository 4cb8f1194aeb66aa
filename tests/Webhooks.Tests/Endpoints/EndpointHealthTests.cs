using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Sending;
using static Webhooks.Tests.Endpoints.DeliveryLanesTests;

namespace Webhooks.Tests.Endpoints;

public sealed class EndpointHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly EndpointDefinition Definition = new()
    {
        Url = "http://127.0.0.1:9/hooks",
        CircuitBreaker = new CircuitBreakerPolicy { FailureThreshold = 2, ProbeInterval = TimeSpan.FromSeconds(30) },
        DisableAfter = TimeSpan.FromHours(1),
    };

    [Fact]
    public void Gone_DisablesTheEndpoint_NamingTheUrlAndTheTime()
    {
        var breaker = new CircuitBreaker();
        var verdict = EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(1), Attempt(410, T0), "HTTP 410", T0);

        Assert.True(verdict.CircuitChanged); // a run of failures began
        Assert.Equal($"HTTP 410 Gone from http://127.0.0.1:9/ at {T0:u}", verdict.DisableReason);
    }

    [Fact]
    public void FailingForTheWholeDisableWindow_DisablesTheEndpoint_AndNotBefore()
    {
        var breaker = new CircuitBreaker();
        Assert.Null(EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(1), Attempt(500, T0), "HTTP 500", T0).DisableReason);
        Assert.Null(EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(2), Attempt(500, T0), "HTTP 500", T0.AddMinutes(59)).DisableReason);

        var verdict = EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(3), Attempt(503, T0), "HTTP 503", T0.AddHours(1));
        Assert.Equal($"every attempt failed since {T0:u} (disable_after 01:00:00); last: HTTP 503", verdict.DisableReason);
    }

    [Fact]
    public void ASuccess_EndsTheRunOfFailures_AndClosesTheCircuit()
    {
        var breaker = new CircuitBreaker();
        EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(1), Attempt(500, T0), "HTTP 500", T0);
        var opened = EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(2), Attempt(500, T0), "HTTP 500", T0);
        Assert.True(opened.CircuitChanged);
        Assert.Equal(CircuitState.Open, breaker.State);

        var closed = EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(3), Attempt(200, T0), "", T0.AddMinutes(2));
        Assert.True(closed.CircuitChanged);
        Assert.Null(closed.DisableReason);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Null(breaker.FailingSince);
        Assert.False(EndpointHealth.Observe(breaker, Definition, TimeSpan.Zero, Record(4), Attempt(204, T0), "", T0.AddMinutes(3)).CircuitChanged);
    }

    [Fact]
    public void TheDefaultDisableWindow_AppliesToEndpointsWithoutOne_AndZeroNeverDisables()
    {
        var definition = Definition with { DisableAfter = null };
        var breaker = new CircuitBreaker();
        EndpointHealth.Observe(breaker, definition, TimeSpan.Zero, Record(1), Attempt(500, T0), "HTTP 500", T0);
        Assert.Null(EndpointHealth.Observe(breaker, definition, TimeSpan.Zero, Record(2), Attempt(500, T0), "HTTP 500", T0.AddDays(30)).DisableReason);
        Assert.NotNull(EndpointHealth.Observe(breaker, definition, TimeSpan.FromDays(5), Record(3), Attempt(500, T0), "HTTP 500", T0.AddDays(30)).DisableReason);
    }

    internal static DeliveryAttempt Attempt(int status, DateTimeOffset time) => new() { Time = time, Duration = TimeSpan.FromMilliseconds(3), StatusCode = status };
}
