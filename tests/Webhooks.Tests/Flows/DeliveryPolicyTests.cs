using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Hosting;
using Webhooks.Tests.Infrastructure;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Tests.Flows;

/// <summary>The delivery policy with the product's defaults (8 attempts over about a day, ±20 % jitter, a 60 s
/// minimum after throttling) on a controlled delivery clock: a day of retries runs in a second.</summary>
[Collection(PolicyClusterCollection.Name)]
public sealed class DeliveryPolicyTests(PolicyClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    private static FakeTimeProvider Clock => PolicyClusterFixture.Clock;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task FailingDelivery_IsRetriedOnTheDefaultScheduleWithJitter_ThenMarkedFailedAndKept()
    {
        _receiver.Respond = _ => 500;
        var endpoint = await SetUpAsync("/failing");
        await _scenario.PublishAsync(Scenario.Event(_scenario.Type(), "created", new { n = 1 }));

        var fractions = new List<double>();
        for (var retry = 1; retry <= RetryPolicy.DefaultSchedule.Length; retry++)
        {
            var pending = await DeliveryAsync(endpoint, d => d.Attempts.Length == retry && d.NextAttemptAt is not null, $"attempt {retry} is recorded with its retry time");
            var wait = pending.NextAttemptAt!.Value - pending.Attempts[^1].Time;
            var scheduled = RetryPolicy.DefaultSchedule[retry - 1];
            Assert.InRange(wait, scheduled * 0.8, scheduled * 1.2);
            fractions.Add(wait / scheduled);
            Clock.Advance(pending.NextAttemptAt.Value - Clock.GetUtcNow());
        }

        var failed = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Failed, "the delivery is marked failed");
        Assert.Equal(8, failed.Attempts.Length);
        Assert.All(failed.Attempts, a => Assert.Equal(500, a.StatusCode));
        Assert.Equal(8, _receiver.For("/failing").Count);
        // Jitter: the waits are not all the same fraction of their scheduled delay.
        Assert.True(fractions.Distinct().Count() > 1, "every retry waited exactly the same fraction of its scheduled delay");
    }

    [Fact]
    public async Task ThrottlingAnswers_WaitAtLeastAMinute_AndHonourRetryAfterWithinOnceToTwiceTheSchedule()
    {
        var answers = new Queue<ScriptedResponse>(
        [
            new(503, Body: "busy"),
            new(429, [("Retry-After", "400")], "slow down"),
            new(429, [("Retry-After", "100000")]),
            new(200, [("X-Receipt", "r-1")], "ok"),
        ]);
        _receiver.Reply = _ => answers.Dequeue();
        var endpoint = await SetUpAsync("/throttled");
        await _scenario.PublishAsync(Scenario.Event(_scenario.Type(), "created", new { n = 1 }));

        // 503 without Retry-After: the scheduled 5 s (±20 %) is raised to the 60 s minimum.
        var first = await DeliveryAsync(endpoint, d => d.Attempts.Length == 1 && d.NextAttemptAt is not null, "the first attempt");
        Assert.Equal(TimeSpan.FromSeconds(60), first.NextAttemptAt!.Value - first.Attempts[0].Time);
        Assert.Equal("busy", first.Attempts[0].ResponseBody);
        Clock.Advance(first.NextAttemptAt.Value - Clock.GetUtcNow());

        // Retry-After: 400 s lies within 1×–2× of the scheduled 5 min (240–360 s): honoured as asked.
        var second = await DeliveryAsync(endpoint, d => d.Attempts.Length == 2 && d.NextAttemptAt is not null, "the second attempt");
        Assert.Equal(TimeSpan.FromSeconds(400), second.NextAttemptAt!.Value - second.Attempts[1].Time);
        Assert.Equal(TimeSpan.FromSeconds(400), second.Attempts[1].RetryAfter);
        Clock.Advance(second.NextAttemptAt.Value - Clock.GetUtcNow());

        // Retry-After: 100 000 s is clamped to twice the scheduled 30 min (±20 %).
        var third = await DeliveryAsync(endpoint, d => d.Attempts.Length == 3 && d.NextAttemptAt is not null, "the third attempt");
        Assert.InRange(third.NextAttemptAt!.Value - third.Attempts[2].Time, TimeSpan.FromMinutes(48), TimeSpan.FromMinutes(72));
        Clock.Advance(third.NextAttemptAt.Value - Clock.GetUtcNow());

        var done = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Succeeded, "the fourth attempt succeeds");
        Assert.Equal([503, 429, 429, 200], done.Attempts.Select(a => a.StatusCode));
        Assert.Equal("ok", done.Attempts[3].ResponseBody);
        Assert.Contains(done.Attempts[3].ResponseHeaders, h => h.Name == "X-Receipt" && h.Value == "r-1");
        // What API users see of it.
        await using var gateway = await GatewayServer.StartAsync(fixture.Client);
        var viaApi = await new Proto.Deliveries.DeliveriesClient(gateway.Channel).GetDeliveryAsync(new Proto.GetDeliveryRequest { Id = done.Id });
        Assert.Equal([503, 429, 429, 200], viaApi.Attempts.Select(a => a.ResponseStatusCode));
        Assert.Equal("busy", viaApi.Attempts[0].ResponseBody);
        Assert.Contains(viaApi.Attempts[3].ResponseHeaders, h => h.Name == "X-Receipt" && h.Value == "r-1");
    }

    [Fact]
    public async Task Gone_DisablesTheEndpoint_WhichKeepsAcceptingDeliveries_AndResumeSendsThemInOrder()
    {
        var gone = true;
        _receiver.Reply = _ => new ScriptedResponse(Volatile.Read(ref gone) ? 410 : 204);
        var endpoint = await SetUpAsync("/gone");
        var type = _scenario.Type();
        var grain = fixture.Client.GetGrain<IEndpointGrain>(endpoint);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));

        var disabled = await Poll.ForAsync(() => grain.GetStatusAsync(), s => s.DisabledReason.Length > 0, "the endpoint disables itself");
        Assert.Contains("410", disabled.DisabledReason, StringComparison.Ordinal);
        await using (var gateway = await GatewayServer.StartAsync(fixture.Client))
        {
            var state = await new Proto.Endpoints.EndpointsClient(gateway.Channel).GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = endpoint });
            Assert.Equal(disabled.DisabledReason, state.DisabledReason);
        }

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 2 }), Scenario.Event(type, "created", new { n = 3 }));
        await Poll.ForAsync(() => grain.GetStatusAsync(), s => s.Queued == 3, "the disabled endpoint holds all three deliveries");
        Assert.Single(_receiver.For("/gone"));

        Volatile.Write(ref gone, false);
        await grain.ResumeAsync();

        var requests = await _receiver.WaitForAsync("/gone", 4);
        Assert.Equal(["1", "1", "2", "3"], requests.Select(r => r.BodyText));
        var status = await Poll.ForAsync(() => grain.GetStatusAsync(), s => s.Delivered == 3, "all three are delivered");
        Assert.Empty(status.DisabledReason);
    }

    [Fact]
    public async Task PauseEndpoint_ThroughGrpc_StopsSending_AndResumeEndpointSendsWhatWasKept()
    {
        await using var gateway = await GatewayServer.StartAsync(fixture.Client);
        var api = new Proto.Endpoints.EndpointsClient(gateway.Channel);
        var endpoint = await SetUpAsync("/paused");
        var type = _scenario.Type();

        var paused = await api.PauseEndpointAsync(new Proto.PauseEndpointRequest { Id = endpoint });
        Assert.True(paused.Paused);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }), Scenario.Event(type, "created", new { n = 2 }));
        await Poll.ForAsync(() => fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync(), s => s.Queued == 2, "the paused endpoint holds both deliveries");
        Assert.Empty(_receiver.For("/paused"));

        var resumed = await api.ResumeEndpointAsync(new Proto.ResumeEndpointRequest { Id = endpoint });
        Assert.False(resumed.Paused);
        var requests = await _receiver.WaitForAsync("/paused", 2);
        Assert.Equal(["1", "2"], requests.Select(r => r.BodyText));
    }

    private async Task<string> SetUpAsync(string path)
    {
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}{path}");
        await _scenario.WebhookAsync(_scenario.Type(), endpoint, d => d with { BodyTemplate = "{{ data.n }}" });
        return endpoint;
    }

    private async Task<DeliveryRecord> DeliveryAsync(string endpoint, Func<DeliveryRecord, bool> accept, string what)
    {
        var page = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(0).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 1 && accept(p.Items[0]),
            what);
        return page.Items[0];
    }
}
