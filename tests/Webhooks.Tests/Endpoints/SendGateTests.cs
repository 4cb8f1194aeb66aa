using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Endpoints;
using Webhooks.Endpoints.Sending;
using Webhooks.Tests.Infrastructure;
using static Webhooks.Tests.Endpoints.DeliveryLanesTests;
using static Webhooks.Tests.Endpoints.EndpointHealthTests;

namespace Webhooks.Tests.Endpoints;

public sealed class SendGateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(T0);
    private readonly TestPersistentState<EndpointGrainState> _state = new(new EndpointGrainState
    {
        Definition = new EndpointDefinition
        {
            Url = "http://127.0.0.1:9/hooks",
            CircuitBreaker = new CircuitBreakerPolicy { FailureThreshold = 1, ProbeInterval = TimeSpan.FromSeconds(30) },
            DisableAfter = TimeSpan.Zero,
        },
    });

    private EndpointDefinition Definition => _state.State.Definition!;

    [Fact]
    public async Task Turn_GoesAtOnce_WhileTheCircuitIsClosed_AndNotAtAllWhenPausedOrStopped()
    {
        var gate = Gate();
        Assert.True(await gate.WaitForTurnAsync(1, CancellationToken.None));

        await gate.PauseAsync(CancellationToken.None);
        Assert.False(gate.IsSending);
        Assert.False(await gate.WaitForTurnAsync(2, CancellationToken.None));
        Assert.Equal(1, _state.Writes);

        await gate.ResumeAsync(CancellationToken.None);
        Assert.True(await gate.WaitForTurnAsync(3, CancellationToken.None));

        gate.Stop();
        Assert.False(await gate.WaitForTurnAsync(4, CancellationToken.None));
    }

    [Fact]
    public async Task OpenCircuit_HoldsTurnsUntilTheProbeIsDue_ThenOneProbeGoes_AndItsSuccessLetsTheRestThrough()
    {
        var gate = Gate();
        await gate.RecordOutcomeAsync(Definition, Record(1), Attempt(500, T0), "HTTP 500");
        Assert.Equal(CircuitState.Open, gate.Circuit);
        Assert.Equal(1, _state.Writes); // the run of failures and the open circuit are kept
        Assert.True(_state.State.CircuitOpen);

        var probe = gate.WaitForTurnAsync(2, CancellationToken.None);
        Assert.False(probe.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await probe.WaitAsync(Deadline));
        Assert.Equal(CircuitState.HalfOpen, gate.Circuit);

        var next = gate.WaitForTurnAsync(3, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(next.IsCompleted); // one probe at a time, however long it takes

        await gate.RecordOutcomeAsync(Definition, Record(2), Attempt(200, _clock.GetUtcNow()), "");
        Assert.True(await next.WaitAsync(Deadline));
        Assert.Equal(CircuitState.Closed, gate.Circuit);
        Assert.False(_state.State.CircuitOpen);
    }

    [Fact]
    public async Task AProbeThatEndsWithoutAnOutcome_IsHandedBack_SoThatAnotherCanProbe()
    {
        var gate = Gate();
        await gate.RecordOutcomeAsync(Definition, Record(1), Attempt(500, T0), "HTTP 500");
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await gate.WaitForTurnAsync(2, CancellationToken.None));

        var waiting = gate.WaitForTurnAsync(3, CancellationToken.None);
        gate.ReleaseProbe(sequence: 7); // not the probe: nothing changes
        Assert.False(waiting.IsCompleted);

        gate.ReleaseProbe(sequence: 2);
        Assert.True(await waiting.WaitAsync(Deadline));
        Assert.Equal(CircuitState.HalfOpen, gate.Circuit);
    }

    [Fact]
    public async Task Gone_DisablesTheEndpoint_KeepsWhy_AndStopsTurns_UntilResumed()
    {
        var gate = Gate();
        var changes = 0;
        gate.Changed += () => changes++;

        await gate.RecordOutcomeAsync(Definition, Record(1), Attempt(410, T0), "HTTP 410");

        Assert.False(gate.IsSending);
        Assert.StartsWith("HTTP 410 Gone from", _state.State.DisabledReason);
        Assert.Equal(1, changes);
        Assert.False(await gate.WaitForTurnAsync(2, CancellationToken.None));

        await gate.ResumeAsync(CancellationToken.None);
        Assert.Null(_state.State.DisabledReason);
        Assert.True(gate.IsSending);
    }

    [Fact]
    public async Task ADisableThatCannotBeSaved_Fails_ButALostFailureRunDoesNot()
    {
        var gate = Gate();
        _state.FailNextWrite = new InvalidOperationException("storage down");
        await gate.RecordOutcomeAsync(Definition, Record(1), Attempt(500, T0), "HTTP 500");
        Assert.Equal(CircuitState.Open, gate.Circuit);

        _state.FailNextWrite = new InvalidOperationException("storage down");
        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.RecordOutcomeAsync(Definition, Record(2), Attempt(410, T0), "HTTP 410"));
    }

    [Fact]
    public async Task RateLimit_SpacesTurnsAtTheRate_AfterTheBurst()
    {
        _state.State.Definition = Definition with { RateLimit = new RateLimit { RequestsPerSecond = 2, Burst = 1 } };
        var gate = Gate();
        Assert.True(await gate.WaitForTurnAsync(1, CancellationToken.None));

        var second = gate.WaitForTurnAsync(2, CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(second.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await second.WaitAsync(Deadline));
    }

    [Fact]
    public void Restore_ContinuesAStoredRunOfFailures_AndAnOpenCircuitProbesAtOnce()
    {
        _state.State.ConsecutiveFailures = 4;
        _state.State.FailingSince = T0.AddHours(-1);
        _state.State.CircuitOpen = true;
        var gate = Gate();
        gate.Restore();

        Assert.Equal(CircuitState.Open, gate.Circuit);
        Assert.Equal(4, gate.ConsecutiveFailures);
        Assert.Equal(T0.AddHours(-1), gate.FailingSince);
        Assert.Equal(T0, gate.NextProbeAt);
        Assert.True(gate.IsFailing);
    }

    private SendGate Gate() => new("ep", new EndpointStateWriter(_state), TimeSpan.Zero, _clock, NullLogger.Instance);
}
