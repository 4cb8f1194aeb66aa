using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Tests.Flows;

/// <summary>The parts of the delivery policy an endpoint configures (ordering, circuit breaker, auto-disable,
/// rate limit) and what operators do by hand (redeliver, replay, test events), on the controlled delivery clock.</summary>
[Collection(PolicyClusterCollection.Name)]
public sealed class DeliveryControlTests(PolicyClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;
    private GatewayServer _gateway = null!;

    private static FakeTimeProvider Clock => PolicyClusterFixture.Clock;

    private Proto.Endpoints.EndpointsClient EndpointsApi => new(_gateway.Channel);

    private Proto.Deliveries.DeliveriesClient DeliveriesApi => new(_gateway.Channel);

    public async Task InitializeAsync()
    {
        _receiver = await TestReceiver.StartAsync();
        _gateway = await GatewayServer.StartAsync(fixture.Client);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ConnectionReset_IsRecordedAsANetworkError_AndRetriedOnSchedule()
    {
        var answers = new Queue<ScriptedResponse>([ScriptedResponse.ConnectionReset, new(204)]);
        _receiver.Reply = _ => answers.Dequeue();
        var endpoint = await EndpointAsync("/reset", new Proto.Endpoint());
        await PublishAsync(1);

        var first = await DeliveryAsync(endpoint, d => d.Attempts.Length == 1 && d.NextAttemptAt is not null, "the reset attempt is recorded");
        Assert.Equal(0, first.Attempts[0].StatusCode);
        Assert.NotEmpty(first.Attempts[0].Error);
        // Not throttling: the first scheduled delay (5 s ± 20 %), not the 60 s minimum.
        Assert.InRange(first.NextAttemptAt!.Value - first.Attempts[0].Time, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));

        Clock.Advance(first.NextAttemptAt.Value - Clock.GetUtcNow());
        var done = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Succeeded, "the retry succeeds");
        Assert.Equal([0, 204], done.Attempts.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task SlowReceiver_TimesOut_WhichCountsAsThrottling()
    {
        var answers = new Queue<ScriptedResponse>([new(204, Delay: TimeSpan.FromSeconds(5)), new(204)]);
        _receiver.Reply = _ => answers.Dequeue();
        var endpoint = await EndpointAsync("/slow", new Proto.Endpoint { Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)) });
        await PublishAsync(1);

        var first = await DeliveryAsync(endpoint, d => d.Attempts.Length == 1 && d.NextAttemptAt is not null, "the slow attempt times out");
        Assert.True(first.Attempts[0].TimedOut);
        Assert.Equal(0, first.Attempts[0].StatusCode);
        Assert.InRange(first.Attempts[0].Duration, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(4));
        // A timeout asks for air: at least the 60 s throttling minimum instead of the scheduled 5 s.
        Assert.Equal(TimeSpan.FromSeconds(60), first.NextAttemptAt!.Value - first.Attempts[0].Time);

        Clock.Advance(TimeSpan.FromSeconds(60));
        var done = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Succeeded, "the retry succeeds");
        Assert.Equal([0, 204], done.Attempts.Select(a => a.StatusCode));
    }

    [Fact]
    public async Task FailingHeadOfLine_HoldsLaterDeliveriesBackUnderFifo_ButIsOvertakenWithOrderingNone()
    {
        var failedOnce = new HashSet<string>();
        _receiver.Reply = r =>
        {
            lock (failedOnce)
            {
                return new ScriptedResponse(r.BodyText.EndsWith(":1", StringComparison.Ordinal) && failedOnce.Add(r.Path) ? 500 : 204);
            }
        };
        var fifo = await EndpointAsync("/fifo", new Proto.Endpoint { MaxInFlight = 1 }, "{{ data.n }}", prefix: "fifo:");
        var none = await EndpointAsync("/none", new Proto.Endpoint { MaxInFlight = 1, Ordering = Proto.Endpoint.Types.Ordering.None }, "{{ data.n }}", prefix: "none:");

        await PublishAsync(1, 2, 3);

        // ordering = none: 2 and 3 go while 1 waits for its retry outside the in-flight slot.
        var overtaken = await _receiver.WaitForAsync("/none", 3);
        Assert.Equal(["none:1", "none:2", "none:3"], overtaken.Select(r => r.BodyText));
        var noneState = await EndpointsApi.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = none });
        Assert.Equal(1, noneState.WaitingForRetry);
        Assert.Equal(1, noneState.Queued);
        // fifo: 1 keeps the only slot while it waits; 2 and 3 wait behind it.
        await Poll.ForAsync(() => fixture.Client.GetGrain<IEndpointGrain>(fifo).GetStatusAsync(), s => s.InFlight == 1 && s.Queued == 2, "fifo holds 2 and 3 back");
        Assert.Equal(["fifo:1"], _receiver.For("/fifo").Select(r => r.BodyText));

        Clock.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(["fifo:1", "fifo:1", "fifo:2", "fifo:3"], (await _receiver.WaitForAsync("/fifo", 4)).Select(r => r.BodyText));
        Assert.Equal(["none:1", "none:2", "none:3", "none:1"], (await _receiver.WaitForAsync("/none", 4)).Select(r => r.BodyText));
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterConsecutiveFailures_SendsOneProbePerInterval_AndClosesOnSuccess()
    {
        var healthy = false;
        _receiver.Reply = _ => new ScriptedResponse(Volatile.Read(ref healthy) ? 204 : 500);
        var endpoint = await EndpointAsync("/breaker", new Proto.Endpoint
        {
            MaxInFlight = 1,
            Ordering = Proto.Endpoint.Types.Ordering.None,
            CircuitBreaker = new Proto.CircuitBreaker { FailureThreshold = 3, ProbeInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) },
            RetryPolicy = new Proto.RetryPolicy { Schedule = { Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) }, Jitter = 0, MaxAttempts = 5 },
        });

        await PublishAsync(1, 2, 3, 4, 5);

        await _receiver.WaitForAsync("/breaker", 3);
        var open = await Poll.ForAsync(
            () => EndpointsApi.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = endpoint }).ResponseAsync,
            s => s.CircuitState == Proto.EndpointState.Types.CircuitState.Open,
            "the circuit opens after three failures");
        Assert.Equal(3, open.ConsecutiveFailures);
        Assert.NotNull(open.FailingSince);
        var probeAt = open.NextProbeAt.ToDateTimeOffset();
        Assert.InRange(probeAt - open.LastAttemptAt.ToDateTimeOffset(), TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(31));

        // Open: nothing goes before the probe is due, although deliveries 4 and 5 are waiting.
        Clock.Advance(probeAt - Clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Equal(3, _receiver.For("/breaker").Count);

        // One probe; it fails, so the circuit opens again for another interval.
        Clock.Advance(TimeSpan.FromSeconds(1));
        await _receiver.WaitForAsync("/breaker", 4);
        var reopened = await Poll.ForAsync(
            () => EndpointsApi.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = endpoint }).ResponseAsync,
            s => s.CircuitState == Proto.EndpointState.Types.CircuitState.Open && s.ConsecutiveFailures == 4,
            "the failed probe reopens the circuit");
        Assert.Equal(4, _receiver.For("/breaker").Count);

        // The next probe succeeds and closes the circuit; every waiting delivery then goes.
        Volatile.Write(ref healthy, true);
        Clock.Advance(reopened.NextProbeAt.ToDateTimeOffset() - Clock.GetUtcNow());
        await Poll.ForAsync(
            () => EndpointsApi.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = endpoint }).ResponseAsync,
            s => s.CircuitState == Proto.EndpointState.Types.CircuitState.Closed && s.ConsecutiveFailures == 0 && s.FailingSince is null,
            "the successful probe closes the circuit");
        Clock.Advance(TimeSpan.FromMinutes(10));
        var all = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 5 && p.Items.All(d => d.Status == DeliveryStatus.Succeeded),
            "all five deliveries succeed");
        Assert.Equal(9, _receiver.For("/breaker").Count);
        Assert.Equal(5, all.Items.Count(d => d.Attempts[^1].StatusCode == 204));
    }

    [Fact]
    public async Task EndpointFailingForItsDisableWindow_DisablesItself_KeepsAcceptingDeliveries_AndResumeSendsThem()
    {
        var healthy = false;
        _receiver.Reply = _ => new ScriptedResponse(Volatile.Read(ref healthy) ? 204 : 503);
        var endpoint = await EndpointAsync("/window", new Proto.Endpoint
        {
            DisableAfter = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
            CircuitBreaker = new Proto.CircuitBreaker { FailureThreshold = 0 },
            RetryPolicy = new Proto.RetryPolicy { Schedule = { Duration.FromTimeSpan(TimeSpan.FromMinutes(20)) }, Jitter = 0, MaxAttempts = 10 },
        }, "{{ data.n }}");
        await PublishAsync(1);

        // Attempts at 0, 20, 40 and 60 minutes; the fourth completes the hour of nothing but failures.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var pending = await DeliveryAsync(endpoint, d => d.Attempts.Length == attempt && d.NextAttemptAt is not null, $"attempt {attempt}");
            Assert.Equal("", (await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync()).DisabledReason);
            Clock.Advance(pending.NextAttemptAt!.Value - Clock.GetUtcNow());
        }

        var disabled = await Poll.ForAsync(
            () => EndpointsApi.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = endpoint }).ResponseAsync,
            s => s.DisabledReason.Length > 0,
            "the endpoint disables itself after an hour of failures");
        Assert.Contains("every attempt failed", disabled.DisabledReason, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", disabled.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(4, _receiver.For("/window").Count);

        // Disabled: deliveries are still accepted and kept, nothing is sent.
        await PublishAsync(2);
        await Poll.ForAsync(() => fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync(), s => s.Queued == 2, "both deliveries are kept");
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(4, _receiver.For("/window").Count);

        Volatile.Write(ref healthy, true);
        await EndpointsApi.ResumeEndpointAsync(new Proto.ResumeEndpointRequest { Id = endpoint });
        var requests = await _receiver.WaitForAsync("/window", 6);
        Assert.Equal(["1", "2"], requests.Skip(4).Select(r => r.BodyText));
    }

    [Fact]
    public async Task RateLimit_LetsABurstThrough_ThenOneRequestPerInterval()
    {
        var endpoint = await EndpointAsync("/limited", new Proto.Endpoint
        {
            MaxInFlight = 8,
            RateLimit = new Proto.RateLimit { RequestsPerSecond = 2, Burst = 3 },
        });

        await PublishAsync(1, 2, 3, 4, 5, 6);

        await _receiver.WaitForAsync("/limited", 3);
        await Poll.ForAsync(() => fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync(), s => s.InFlight == 3, "three wait for tokens");
        Assert.Equal(3, _receiver.For("/limited").Count);
        for (var sent = 4; sent <= 6; sent++)
        {
            // One token every half second.
            Clock.Advance(TimeSpan.FromMilliseconds(499));
            Assert.Equal(sent - 1, _receiver.For("/limited").Count);
            Clock.Advance(TimeSpan.FromMilliseconds(1));
            await _receiver.WaitForAsync("/limited", sent);
        }
    }

    [Fact]
    public async Task RedeliverDelivery_SendsAFailedDeliveryOnceMore_AsAManualAttempt_AndRefusesAPendingOne()
    {
        var healthy = false;
        _receiver.Reply = _ => new ScriptedResponse(Volatile.Read(ref healthy) ? 204 : 500);
        var endpoint = await EndpointAsync("/redeliver", new Proto.Endpoint { RetryPolicy = new Proto.RetryPolicy { MaxAttempts = 1 } });
        await PublishAsync(1);
        var failed = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Failed, "the only attempt fails");

        Volatile.Write(ref healthy, true);
        var requeued = await DeliveriesApi.RedeliverDeliveryAsync(new Proto.RedeliverDeliveryRequest { Id = failed.Id });
        Assert.Equal(Proto.Delivery.Types.Status.Pending, requeued.Status);

        var done = await DeliveryAsync(endpoint, d => d.Status == DeliveryStatus.Succeeded, "the redelivery succeeds");
        Assert.Equal([500, 204], done.Attempts.Select(a => a.StatusCode));
        Assert.Equal([false, true], done.Attempts.Select(a => a.Manual));
        var viaApi = await DeliveriesApi.GetDeliveryAsync(new Proto.GetDeliveryRequest { Id = failed.Id });
        Assert.Equal([false, true], viaApi.Attempts.Select(a => a.Manual));

        // Paused, the redelivery waits as pending: asking again is refused.
        await EndpointsApi.PauseEndpointAsync(new Proto.PauseEndpointRequest { Id = endpoint });
        await DeliveriesApi.RedeliverDeliveryAsync(new Proto.RedeliverDeliveryRequest { Id = failed.Id });
        var refused = await Assert.ThrowsAsync<RpcException>(() => DeliveriesApi.RedeliverDeliveryAsync(new Proto.RedeliverDeliveryRequest { Id = failed.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("pending", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, _receiver.For("/redeliver").Count);
        await EndpointsApi.ResumeEndpointAsync(new Proto.ResumeEndpointRequest { Id = endpoint });
        await _receiver.WaitForAsync("/redeliver", 3);

        var missing = await Assert.ThrowsAsync<RpcException>(() => DeliveriesApi.RedeliverDeliveryAsync(new Proto.RedeliverDeliveryRequest { Id = $"{endpoint}.999999" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ReplayDeliveries_RequeuesTheFailedOnesSinceATime_OldestFirst()
    {
        var healthy = false;
        _receiver.Reply = _ => new ScriptedResponse(Volatile.Read(ref healthy) ? 204 : 500);
        var endpoint = await EndpointAsync("/replay", new Proto.Endpoint { RetryPolicy = new Proto.RetryPolicy { MaxAttempts = 1 } }, "{{ data.n }}");
        var since = Clock.GetUtcNow();
        await PublishAsync(1, 2, 3);
        await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint, Status = DeliveryStatus.Failed }),
            p => p.Items.Length == 3,
            "all three fail");

        var invalid = await Assert.ThrowsAsync<RpcException>(() => DeliveriesApi.ReplayDeliveriesAsync(new Proto.ReplayDeliveriesRequest { EndpointId = endpoint }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("since", invalid.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Single().Field);

        Volatile.Write(ref healthy, true);
        var replayed = await DeliveriesApi.ReplayDeliveriesAsync(new Proto.ReplayDeliveriesRequest { EndpointId = endpoint, Since = Timestamp.FromDateTimeOffset(since) });
        Assert.Equal(3, replayed.Requeued);
        Assert.False(replayed.Truncated);

        var requests = await _receiver.WaitForAsync("/replay", 6);
        Assert.Equal(["1", "2", "3"], requests.Skip(3).Select(r => r.BodyText));
        var log = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 3 && p.Items.All(d => d.Status == DeliveryStatus.Succeeded),
            "the replays succeed");
        Assert.All(log.Items, d => Assert.True(d.Attempts[^1].Manual));

        // Nothing failed is left since then.
        var again = await DeliveriesApi.ReplayDeliveriesAsync(new Proto.ReplayDeliveriesRequest { EndpointId = endpoint, Since = Timestamp.FromDateTimeOffset(since) });
        Assert.Equal(0, again.Requeued);
    }

    [Fact]
    public async Task SendTestEvent_DeliversASignedSampleEventRightAway_AndReturnsItsAttempt()
    {
        const string secret = "test-secret";
        _receiver.Reply = _ => new ScriptedResponse(200, Body: "received");
        var created = await EndpointsApi.CreateEndpointAsync(new Proto.CreateEndpointRequest
        {
            Endpoint = new Proto.Endpoint { Name = "test target", Url = $"{_receiver.Url}/test-event", Secret = secret },
        });
        // Paused: a test event goes anyway (it is how an operator checks the endpoint).
        await EndpointsApi.PauseEndpointAsync(new Proto.PauseEndpointRequest { Id = created.Id });

        var delivery = await DeliveriesApi.SendTestEventAsync(new Proto.SendTestEventRequest { EndpointId = created.Id });

        Assert.Equal(Proto.Delivery.Types.Status.Succeeded, delivery.Status);
        var attempt = Assert.Single(delivery.Attempts);
        Assert.True(attempt.Manual);
        Assert.Equal(200, attempt.ResponseStatusCode);
        Assert.Equal("received", attempt.ResponseBody);
        var request = Assert.Single(_receiver.For("/test-event"));
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("test", body.RootElement.GetProperty("event").GetString());
        Assert.Equal("webhooks.test", body.RootElement.GetProperty("model").GetString());
        Assert.Equal(created.Id, body.RootElement.GetProperty("data").GetProperty("endpoint_id").GetString());
        Assert.Equal(Convert.ToHexString(HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), request.Body)).ToLowerInvariant(), request.Header("X-Hook-Signature"));
        var logged = await DeliveriesApi.GetDeliveryAsync(new Proto.GetDeliveryRequest { Id = delivery.Id });
        Assert.Equal(Proto.Delivery.Types.Status.Succeeded, logged.Status);
    }

    [Fact]
    public async Task PolicyFields_RoundTripThroughTheApi_AndInvalidOnesAreRejectedNamingTheField()
    {
        var endpoint = new Proto.Endpoint
        {
            Name = "policy",
            Url = $"{_receiver.Url}/policy",
            Ordering = Proto.Endpoint.Types.Ordering.None,
            RetryPolicy = new Proto.RetryPolicy
            {
                Exponential = new Proto.ExponentialBackoff { Initial = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)), Multiplier = 3, Max = Duration.FromTimeSpan(TimeSpan.FromHours(1)), MaxAttempts = 6 },
                Jitter = 0.1,
            },
            CircuitBreaker = new Proto.CircuitBreaker { FailureThreshold = 7, ProbeInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(45)) },
            RateLimit = new Proto.RateLimit { RequestsPerSecond = 12.5, Burst = 4 },
            DisableAfter = Duration.FromTimeSpan(TimeSpan.FromDays(2)),
        };
        var created = await EndpointsApi.CreateEndpointAsync(new Proto.CreateEndpointRequest { Endpoint = endpoint });
        var read = await EndpointsApi.GetEndpointAsync(new Proto.GetEndpointRequest { Id = created.Id });
        Assert.Equal(endpoint.Ordering, read.Ordering);
        Assert.Equal(endpoint.RetryPolicy, read.RetryPolicy);
        Assert.Equal(endpoint.CircuitBreaker, read.CircuitBreaker);
        Assert.Equal(endpoint.RateLimit, read.RateLimit);
        Assert.Equal(endpoint.DisableAfter, read.DisableAfter);

        // An update that names only the rate limit leaves the rest as it was.
        var updated = await EndpointsApi.UpdateEndpointAsync(new Proto.UpdateEndpointRequest
        {
            Endpoint = new Proto.Endpoint { Id = created.Id, RateLimit = new Proto.RateLimit { RequestsPerSecond = 1, Burst = 1 } },
            UpdateMask = new FieldMask { Paths = { "rate_limit" } },
        });
        Assert.Equal(1, updated.RateLimit.RequestsPerSecond);
        Assert.Equal(endpoint.RetryPolicy, updated.RetryPolicy);

        await AssertInvalid("endpoint.retry_policy.jitter", endpoint.Clone(), e => e.RetryPolicy.Jitter = 1.5);
        await AssertInvalid("endpoint.retry_policy.exponential.multiplier", endpoint.Clone(), e => e.RetryPolicy.Exponential.Multiplier = 0.5);
        await AssertInvalid("endpoint.retry_policy.schedule[1]", endpoint.Clone(), e =>
        {
            e.RetryPolicy = new Proto.RetryPolicy();
            e.RetryPolicy.Schedule.Add(Duration.FromTimeSpan(TimeSpan.FromSeconds(1)));
            e.RetryPolicy.Schedule.Add(Duration.FromTimeSpan(TimeSpan.FromDays(30)));
        });
        await AssertInvalid("endpoint.retry_policy.max_attempts", endpoint.Clone(), e => e.RetryPolicy.MaxAttempts = 1000);
        await AssertInvalid("endpoint.circuit_breaker.failure_threshold", endpoint.Clone(), e => e.CircuitBreaker.FailureThreshold = -1);
        await AssertInvalid("endpoint.rate_limit.requests_per_second", endpoint.Clone(), e => e.RateLimit.RequestsPerSecond = 0);
        await AssertInvalid("endpoint.disable_after", endpoint.Clone(), e => e.DisableAfter = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)));
    }

    private async Task AssertInvalid(string field, Proto.Endpoint endpoint, Action<Proto.Endpoint> breakIt)
    {
        breakIt(endpoint);
        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.CreateEndpointAsync(new Proto.CreateEndpointRequest { Endpoint = endpoint }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(field, ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Single().Field);
    }

    /// <summary>An endpoint created through the API (name and URL filled in) and a webhook for this test's type.</summary>
    private async Task<string> EndpointAsync(string path, Proto.Endpoint endpoint, string body = "{{ data.n }}", string prefix = "")
    {
        endpoint.Name = path.TrimStart('/');
        endpoint.Url = $"{_receiver.Url}{path}";
        var created = await EndpointsApi.CreateEndpointAsync(new Proto.CreateEndpointRequest { Endpoint = endpoint });
        await _scenario.WebhookAsync(_scenario.Type(), created.Id, d => d with { BodyTemplate = prefix + body });
        return created.Id;
    }

    private Task PublishAsync(params int[] numbers) =>
        _scenario.PublishAsync([.. numbers.Select(n => Scenario.Event(_scenario.Type(), "created", new { n }))]);

    private async Task<DeliveryRecord> DeliveryAsync(string endpoint, Func<DeliveryRecord, bool> accept, string what)
    {
        var page = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 1 && accept(p.Items[0]),
            what);
        return page.Items[0];
    }
}
