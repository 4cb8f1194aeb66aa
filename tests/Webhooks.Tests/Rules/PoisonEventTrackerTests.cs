using Microsoft.Extensions.Time.Testing;
using Webhooks.DeadLetters;
using Webhooks.Errors;

namespace Webhooks.Tests.Rules;

public sealed class PoisonEventTrackerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void AnEvent_IsPoison_AfterTheAttempts_AndTheTime()
    {
        var tracker = new PoisonEventTracker(new PoisonEventOptions { Attempts = 3, After = TimeSpan.FromSeconds(30) }, _time);

        Assert.False(tracker.Record("e1", new InvalidOperationException("bad")).IsPoison);
        Assert.False(tracker.Record("e1", new InvalidOperationException("bad")).IsPoison);
        // Three failures, but within 30 s: a fault that may yet clear.
        Assert.False(tracker.Record("e1", new InvalidOperationException("bad")).IsPoison);
        _time.Advance(TimeSpan.FromSeconds(30));
        var failure = tracker.Record("e1", new InvalidOperationException("bad"));

        Assert.True(failure.IsPoison);
        Assert.Equal(4, failure.Failures);
        Assert.Equal("System.InvalidOperationException: bad", failure.Error);
        Assert.Equal(0, tracker.Tracked);
    }

    [Fact]
    public void AnotherKindOfFailure_StartsTheCountAgain_AndSuccessForgets()
    {
        var tracker = new PoisonEventTracker(new PoisonEventOptions { Attempts = 2, After = TimeSpan.Zero }, _time);

        Assert.False(tracker.Record("e1", new InvalidOperationException("a")).IsPoison);
        Assert.False(tracker.Record("e1", new ArgumentException("b")).IsPoison);
        Assert.True(tracker.Record("e1", new ArgumentException("b")).IsPoison);

        Assert.False(tracker.Record("e2", new InvalidOperationException("a")).IsPoison);
        tracker.Forget("e2");
        Assert.False(tracker.Record("e2", new InvalidOperationException("a")).IsPoison);
    }

    [Fact]
    public void TheError_IsBounded()
    {
        var tracker = new PoisonEventTracker(new PoisonEventOptions { Attempts = 1, After = TimeSpan.Zero }, _time);

        Assert.Equal(1000, tracker.Record("e1", new InvalidOperationException(new string('x', 100_000))).Error.Length);
    }

    [Fact]
    public void BusyOrUnreachable_IsTransient_ABug_IsNot()
    {
        Assert.True(TransientFailures.IsTransient(new EndpointBusyException("full")));
        Assert.True(TransientFailures.IsTransient(new StoreUnavailableException("down")));
        Assert.True(TransientFailures.IsTransient(new TimeoutException()));
        Assert.True(TransientFailures.IsTransient(new TaskCanceledException()));
        Assert.True(TransientFailures.IsTransient(new SiloUnavailableException()));
        Assert.True(TransientFailures.IsTransient(new AggregateException(new EndpointBusyException(), new TimeoutException())));
        Assert.True(TransientFailures.IsTransient(new InvalidOperationException("wrapped", new System.Net.Sockets.SocketException())));

        Assert.False(TransientFailures.IsTransient(new InvalidOperationException("bug")));
        Assert.False(TransientFailures.IsTransient(new FormatException()));
        Assert.False(TransientFailures.IsTransient(new AggregateException(new EndpointBusyException(), new ArgumentException())));
    }
}
