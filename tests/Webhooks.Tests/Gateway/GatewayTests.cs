using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

[Collection(ClusterCollection.Name)]
public sealed class GatewayTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task CreatePublishAndReadBack_ThroughGrpc_ShowsTheDeliveryAndEndpointState()
    {
        var type = $"g{Prefix}.device";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "receiver", Url = $"{Receiver.Url}/grpc", Secret = "k", Headers = { new Header { Name = "Authorization", Value = "Bearer t0ken" } } },
        });
        Assert.StartsWith("ep_", endpoint.Id, StringComparison.Ordinal);
        Assert.True(endpoint.SecretSet);
        Assert.Empty(endpoint.Secret);
        Assert.Equal(1, endpoint.MaxInFlight);
        var webhook = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "devices", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id } },
        });
        Assert.True(webhook.Enabled);
        Assert.Equal("POST", webhook.HttpMethod);

        var published = await EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent
            {
                ObjectType = type,
                Event = "created",
                Username = "jdoe",
                Data = Struct.Parser.ParseJson("""{"name":"sw1","status":{"value":"active"}}"""),
            },
        });
        Assert.NotEmpty(published.EventId);

        var list = await Poll.ForAsync(
            async () => await DeliveriesApi.ListDeliveriesAsync(new ListDeliveriesRequest { EndpointId = endpoint.Id }),
            r => r.Deliveries.Count == 1 && r.Deliveries[0].Status == Api.V1.Delivery.Types.Status.Succeeded,
            "the delivery is listed as succeeded");
        var delivery = list.Deliveries[0];
        Assert.Equal(published.EventId, delivery.EventId);
        Assert.Equal(webhook.Id, delivery.WebhookId);
        Assert.Equal(204, delivery.Attempts.Single().ResponseStatusCode);
        Assert.Equal("sw1", JsonDocument.Parse(delivery.RequestBody).RootElement.GetProperty("data").GetProperty("name").GetString());
        var fetched = await DeliveriesApi.GetDeliveryAsync(new GetDeliveryRequest { Id = delivery.Id });
        Assert.Equal(delivery, fetched);
        // The request as sent, beside its response: every header, the endpoint's own values masked.
        var sent = delivery.Attempts.Single().RequestHeaders.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var received = await Receiver.WaitForAsync("/grpc", 1);
        Assert.Equal("***", sent["Authorization"]);
        Assert.Equal("Bearer t0ken", received[0].Header("Authorization"));
        Assert.Equal(delivery.Id, sent["X-Hook-Delivery"]);
        Assert.Equal(received[0].Header("X-Hook-Signature"), sent["X-Hook-Signature"]);
        Assert.Equal("application/json", sent["Content-Type"]);
        var byEvent = await DeliveriesApi.ListDeliveriesAsync(new ListDeliveriesRequest { EventId = published.EventId });
        Assert.Equal(delivery.Id, byEvent.Deliveries.Single().Id);

        var state = await EndpointsApi.GetEndpointStateAsync(new GetEndpointStateRequest { EndpointId = endpoint.Id });
        Assert.Equal(1, state.Delivered);
        Assert.Equal(0, state.Queued);
        Assert.Equal(204, state.LastStatusCode);
        Assert.NotNull(state.LastAttemptAt);
        Assert.Equal(1 / 60.0, state.DeliveriesPerSecond, 6);
        Assert.Equal(delivery.Attempts[0].Duration, state.AttemptLatencyP50);
        Assert.Equal(state.AttemptLatencyP50, state.AttemptLatencyP99);
        Assert.Null(state.OldestPendingTime);
        Assert.Null(state.LastErrorTime);
    }

    [Fact]
    public async Task EndpointState_ShowsTheOldestPendingDelivery_AndWhenTheLastErrorHappened()
    {
        var type = $"s{Prefix}.device";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint
            {
                Name = "failing",
                Url = $"{Receiver.Url}/state",
                // The retry waits long enough for the state to be read while the delivery is pending.
                RetryPolicy = new RetryPolicy { Schedule = { Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) }, MaxAttempts = 2 },
            },
        });
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id } },
        });
        Receiver.Respond = r => r.Path == "/state" ? 500 : 204;
        var before = DateTimeOffset.UtcNow;

        await EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { ObjectType = type, Event = "created" } });
        var state = await Poll.ForAsync(
            async () => await EndpointsApi.GetEndpointStateAsync(new GetEndpointStateRequest { EndpointId = endpoint.Id }),
            s => s.LastErrorTime is not null && s.OldestPendingTime is not null,
            "a failed attempt, the delivery still pending");

        Assert.Equal(500, state.LastStatusCode);
        Assert.InRange(state.LastErrorTime.ToDateTimeOffset(), before, DateTimeOffset.UtcNow);
        Assert.InRange(state.OldestPendingTime.ToDateTimeOffset(), before.AddSeconds(-1), state.LastErrorTime.ToDateTimeOffset());
        Assert.NotNull(state.AttemptLatencyP95);
    }

    [Fact]
    public async Task PublishBatch_RepeatedEventId_IsAcceptedButDeliveredOnce()
    {
        var type = $"g{Prefix}.interface";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "r", Url = $"{Receiver.Url}/idem" } });
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "*" }, EndpointIds = { endpoint.Id }, BodyTemplate = "{{ data.n }}" },
        });
        ObjectEvent Event(string id, int n) => new() { EventId = id, ObjectType = type, Event = "updated", Data = Struct.Parser.ParseJson($$"""{"n":{{n}}}""") };

        var first = await EventsApi.PublishBatchAsync(new PublishBatchRequest { Events = { Event("dup-1", 1), Event("dup-1", 1), Event("other", 2) } });
        var again = await EventsApi.PublishBatchAsync(new PublishBatchRequest { Events = { Event("dup-1", 1), Event("last", 3) } });

        Assert.Equal(["dup-1", "dup-1", "other"], first.EventIds);
        Assert.Equal(["dup-1", "last"], again.EventIds);
        var requests = await Receiver.WaitForAsync("/idem", 3);
        Assert.Equal(["1", "2", "3"], requests.Select(r => r.BodyText));
    }

    [Fact]
    public async Task UpdateEndpoint_WithFieldMask_ChangesOnlyMaskedFields()
    {
        var created = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            EndpointId = $"ep-{Prefix}",
            Endpoint = new Endpoint { Name = "before", Url = $"{Receiver.Url}/a", MaxInFlight = 4, Secret = "x" },
        });

        var updated = await EndpointsApi.UpdateEndpointAsync(new UpdateEndpointRequest
        {
            Endpoint = new Endpoint { Id = created.Id, Name = "after", Url = "ignored-not-in-mask" },
            UpdateMask = new FieldMask { Paths = { "name" } },
        });

        Assert.Equal("after", updated.Name);
        Assert.Equal($"{Receiver.Url}/a", updated.Url);
        Assert.Equal(4, updated.MaxInFlight);
        Assert.True(updated.SecretSet);
        var listed = await EndpointsApi.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1000 });
        Assert.Contains(listed.Endpoints, e => e.Id == created.Id && e.Name == "after");
        await EndpointsApi.DeleteEndpointAsync(new DeleteEndpointRequest { Id = created.Id });
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = created.Id }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task BadRequests_AreInvalidArgument_NamingTheField()
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "ok", Url = $"{Receiver.Url}/x" } });
        Webhook ValidWebhook() => new() { Name = "w", ObjectTypes = { "dcim.device" }, Events = { "created" }, EndpointIds = { endpoint.Id } };

        await AssertInvalid("event.object_type", () => EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { Event = "created" } }).ResponseAsync);
        await AssertInvalid("events[1].event", () => EventsApi.PublishBatchAsync(new PublishBatchRequest
        {
            Events = { new ObjectEvent { ObjectType = "dcim.device", Event = "created" }, new ObjectEvent { ObjectType = "dcim.device", Event = "Not A Token" } },
        }).ResponseAsync);
        await AssertInvalid("endpoint.url", () => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "n", Url = "ftp://example/x" } }).ResponseAsync);
        await AssertInvalid("endpoint.retry_policy.exponential.initial", () => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint
            {
                Name = "n",
                Url = $"{Receiver.Url}/x",
                RetryPolicy = new RetryPolicy { Exponential = new ExponentialBackoff { Initial = new Duration { Nanos = 1_500_000_000 } } },
            },
        }).ResponseAsync);
        await AssertInvalid("endpoint.url", () => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "n", Url = "not a url" } }).ResponseAsync);
        var unknown = ValidWebhook();
        unknown.EndpointIds.Add("no-such-endpoint");
        var error = await AssertInvalid("webhook.endpoint_ids", () => WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest { Webhook = unknown }).ResponseAsync);
        Assert.Contains("no-such-endpoint", error, StringComparison.Ordinal);
        var method = ValidWebhook();
        method.HttpMethod = "TRACE";
        await AssertInvalid("webhook.http_method", () => WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest { Webhook = method }).ResponseAsync);
        var syntax = ValidWebhook();
        syntax.Condition = "data.status.value === 'active' &&";
        error = await AssertInvalid("webhook.condition", () => WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest { Webhook = syntax }).ResponseAsync);
        Assert.Contains("line 1, column", error, StringComparison.Ordinal);
        var template = ValidWebhook();
        template.BodyTemplate = "{{ data.name ";
        await AssertInvalid("webhook.body_template", () => WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest { Webhook = template }).ResponseAsync);
    }

    [Fact]
    public async Task TimestampsOutOfRange_AreInvalidArguments_NamingTheField()
    {
        var publish = await Assert.ThrowsAsync<RpcException>(() => EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = "dcim.device", Event = "created", Timestamp = new Timestamp { Seconds = long.MaxValue } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, publish.StatusCode);
        Assert.Contains("event.timestamp", publish.Status.Detail, StringComparison.Ordinal);

        var list = await Assert.ThrowsAsync<RpcException>(() => DeliveriesApi.ListDeliveriesAsync(new ListDeliveriesRequest
        {
            CreatedAfter = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            CreatedBefore = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)),
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, list.StatusCode);
        Assert.Contains("created_before", list.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownJsonField_IsRefused_NamingIt_AndAMaskInTheBodyIsPointedToTheQuery()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), DefaultRequestVersion = HttpVersion.Version11 };

        var typo = await http.PostAsJsonAsync("/v1/endpoints", new { name = "typo", url = $"{Receiver.Url}/typo", maxInflight = 4 });
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        var message = (await typo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString();
        Assert.Contains("maxInflight", message, StringComparison.Ordinal);
        Assert.DoesNotContain((await EndpointsApi.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1000 })).Endpoints, e => e.Name == "typo");

        var created = await http.PostAsJsonAsync("/v1/endpoints", new { name = "json", url = $"{Receiver.Url}/typo", maxInFlight = 4 });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var masked = await http.PatchAsJsonAsync($"/v1/endpoints/{id}", new { endpoint = new { name = "renamed" }, updateMask = "name" });
        Assert.Equal(HttpStatusCode.BadRequest, masked.StatusCode);
        Assert.Contains("?updateMask=", (await masked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString(), StringComparison.Ordinal);
        var renamed = await http.PatchAsJsonAsync($"/v1/endpoints/{id}?updateMask=name", new { name = "renamed" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(4, (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("maxInFlight").GetInt32());
        // A mask names fields as the JSON body does (lowerCamelCase) or as the proto does (snake_case).
        var camel = await http.PatchAsJsonAsync($"/v1/endpoints/{id}?updateMask=maxInFlight,sslVerification", new { maxInFlight = 2, sslVerification = false });
        Assert.Equal(HttpStatusCode.OK, camel.StatusCode);
        var snake = await http.PatchAsJsonAsync($"/v1/endpoints/{id}?updateMask=max_in_flight", new { maxInFlight = 3 });
        var after = await snake.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, false), (after.GetProperty("maxInFlight").GetInt32(), after.GetProperty("sslVerification").GetBoolean()));
    }

    [Fact]
    public async Task AJsonRouteCalledWithAnotherMethod_IsMethodNotAllowed_NamingTheMethodsItTakes()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), DefaultRequestVersion = HttpVersion.Version11 };

        using var publish = await http.GetAsync("/v1/events:publish");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, publish.StatusCode);
        Assert.Equal(["POST"], publish.Content.Headers.Allow);
        using var endpoints = await http.DeleteAsync("/v1/endpoints");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, endpoints.StatusCode);
        Assert.Equal(["GET", "POST"], endpoints.Content.Headers.Allow.Order(StringComparer.Ordinal));
        using var nowhere = await http.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }

    [Fact]
    public async Task JsonTranscoding_ServesTheSameApiOverHttp1()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), DefaultRequestVersion = HttpVersion.Version11 };

        var created = await http.PostAsJsonAsync("/v1/endpoints", new { name = "json", url = $"{Receiver.Url}/json" });
        var invalid = await http.PostAsJsonAsync("/v1/endpoints", new { name = "json", url = "nope" });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var endpoint = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"{Receiver.Url}/json", endpoint.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("endpoint.url", problem.GetProperty("details")[0].GetProperty("fieldViolations")[0].GetProperty("field").GetString());
    }

    private static async Task<string> AssertInvalid(string field, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var details = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(details);
        Assert.Equal(field, details.FieldViolations.Single().Field);
        Assert.StartsWith(field, ex.Status.Detail, StringComparison.Ordinal);
        return ex.Status.Detail;
    }

}
