using System.Security.Cryptography;
using System.Text;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;
using Webhooks.Rules;

namespace Webhooks.Tests.Flows;

[Collection(ClusterCollection.Name)]
public sealed class DeliveryFlowTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task CoveredEvent_IsDeliveredWithRenderedMethodUrlHeadersBodyAndVerifiableSignature()
    {
        const string secret = "s3cr3t-key";
        var type = _scenario.Type("ipaddress");
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/hooks/{{{{ data.dns_name }}}}?event={{{{ event }}}}", d => d with
        {
            Secret = secret,
            Headers = [new HttpHeader { Name = "X-Static", Value = "from-endpoint" }],
        });
        await _scenario.WebhookAsync(type, endpoint, d => d with
        {
            Events = ["created"],
            HttpMethod = "PUT",
            HttpContentType = "application/json; charset=utf-8",
            AdditionalHeaders = "X-Address: {{ data.address }}\nX-User: {{ username | upper }}",
            BodyTemplate = "{\"text\": \"IP address {{ data['address'] }} was created by {{ username }}!\"}",
        });

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { address = "10.0.0.1/24", dns_name = "sw1" }, username: "jdoe"));

        var request = (await _receiver.WaitForAsync("/hooks/sw1", 1)).Single();
        Assert.Equal("PUT", request.Method);
        Assert.Equal("?event=created", request.Query);
        Assert.Equal("{\"text\": \"IP address 10.0.0.1/24 was created by jdoe!\"}", request.BodyText);
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("from-endpoint", request.Header("X-Static"));
        Assert.Equal("10.0.0.1/24", request.Header("X-Address"));
        Assert.Equal("JDOE", request.Header("X-User"));
        var expected = Convert.ToHexString(HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), request.Body)).ToLowerInvariant();
        Assert.Equal(expected, request.Header("X-Hook-Signature"));
    }

    [Fact]
    public async Task EndpointWithoutSecret_SendsNoSignature()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/unsigned");
        await _scenario.WebhookAsync(type, endpoint);

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { name = "x" }));

        var request = (await _receiver.WaitForAsync("/unsigned", 1)).Single();
        Assert.Null(request.Header("X-Hook-Signature"));
    }

    [Fact]
    public async Task UpdatedEvent_WithoutBodyTemplate_SendsWholeContextWithChanges()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/default-body");
        await _scenario.WebhookAsync(type, endpoint);
        var before = new { name = "sw1", status = new { value = "planned" }, serial = "A1" };
        var after = new { name = "sw1", status = new { value = "active" }, serial = "A1" };
        var e = Scenario.Event(type, "updated", after, prechange: before, postchange: after, username: "alice");

        await _scenario.PublishAsync(e);

        var body = (await _receiver.WaitForAsync("/default-body", 1)).Single().Json();
        Assert.Equal("updated", body.GetProperty("event").GetString());
        Assert.Equal(e.EventId, body.GetProperty("event_id").GetString());
        Assert.Equal(type, body.GetProperty("model").GetString());
        Assert.Equal(type, body.GetProperty("object_type").GetString());
        Assert.Equal("alice", body.GetProperty("username").GetString());
        Assert.Equal(e.RequestId, body.GetProperty("request_id").GetString());
        Assert.Equal("active", body.GetProperty("data").GetProperty("status").GetProperty("value").GetString());
        Assert.Equal("planned", body.GetProperty("snapshots").GetProperty("prechange").GetProperty("status").GetProperty("value").GetString());
        var changes = body.GetProperty("changes");
        Assert.Equal(["status"], changes.EnumerateObject().Select(p => p.Name));
        Assert.Equal("planned", changes.GetProperty("status").GetProperty("prechange").GetProperty("value").GetString());
        Assert.Equal("active", changes.GetProperty("status").GetProperty("postchange").GetProperty("value").GetString());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("timestamp").GetString(), out _));
    }

    [Fact]
    public async Task OtherTypeOtherEventFalseConditionOrDisabledWebhook_DeliverNothing()
    {
        var type = _scenario.Type();
        var otherType = _scenario.Type("interface");
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/filtered");
        // Every webhook also fires on a sentinel event, published last: streams deliver in order to each
        // subscriber, so once a webhook's sentinel arrives it has seen (and filtered) everything before.
        await _scenario.WebhookAsync(type, endpoint, d => d with
        {
            Events = ["created"],
            AdditionalHeaders = "X-Webhook: created-only",
            Condition = "data.sentinel === true || data.status === 'active'",
        });
        var disabled = await _scenario.WebhookAsync(type, endpoint, d => d with { Enabled = false, AdditionalHeaders = "X-Webhook: disabled" });

        await _scenario.PublishAsync(
            Scenario.Event(otherType, "created", new { status = "active" }),
            Scenario.Event(type, "deleted", new { status = "active" }),
            Scenario.Event(type, "created", new { status = "planned" }));
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { sentinel = true }));

        var requests = await _receiver.WaitForAsync("/filtered", 1);
        var only = Assert.Single(_receiver.For("/filtered"));
        Assert.Equal("created-only", only.Header("X-Webhook"));
        Assert.True(only.Json().GetProperty("data").GetProperty("sentinel").GetBoolean());
        var disabledInfo = await fixture.Client.GetGrain<IWebhookGrain>(disabled).GetAsync();
        Assert.Equal(0, disabledInfo.Stats.EventsMatched);
        Assert.Single(requests);
    }

    [Fact]
    public async Task OneEventMatchingThreeWebhooksOnTwoEndpoints_YieldsExactlyOneRequestPerWebhookAndEndpoint()
    {
        var type = _scenario.Type();
        var first = await _scenario.EndpointAsync($"{_receiver.Url}/fan/first");
        var second = await _scenario.EndpointAsync($"{_receiver.Url}/fan/second");
        await _scenario.WebhookAsync([type], [first], d => d with { AdditionalHeaders = "X-Webhook: a" });
        await _scenario.WebhookAsync([type], [first, second], d => d with { AdditionalHeaders = "X-Webhook: b" });
        await _scenario.WebhookAsync(["*"], [second], d => d with
        {
            AdditionalHeaders = "X-Webhook: c",
            Condition = $"object_type === '{type}'",
        });
        var e = Scenario.Event(type, "created", new { n = 1 });
        var sentinel = Scenario.Event(type, "created", new { n = 2 });

        await _scenario.PublishAsync(e);
        await _scenario.PublishAsync(sentinel);

        // Each endpoint is FIFO and each webhook sees events in order: once every sentinel request is in,
        // every request for the first event is too.
        await _receiver.WaitForAsync("/fan/first", 4);
        await _receiver.WaitForAsync("/fan/second", 4);
        string[] Of(string path) => [.. _receiver.For(path)
            .Where(r => r.Json().GetProperty("event_id").GetString() == e.EventId)
            .Select(r => r.Header("X-Webhook")!)
            .Order()];
        Assert.Equal(["a", "b"], Of("/fan/first"));
        Assert.Equal(["b", "c"], Of("/fan/second"));
        Assert.Equal(8, _receiver.For("/fan/first").Count + _receiver.For("/fan/second").Count);
    }

    [Fact]
    public async Task PrefixWebhook_SeesTypesCreatedAfterIt()
    {
        var prefix = _scenario.Type("x").Split('.')[0];
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/prefix");
        await _scenario.WebhookAsync($"{prefix}.*", endpoint);
        var neverSeenBefore = $"{prefix}.brand_new_model";

        await _scenario.PublishAsync(Scenario.Event(neverSeenBefore, "created", new { n = 1 }));

        var request = (await _receiver.WaitForAsync("/prefix", 1)).Single();
        Assert.Equal(neverSeenBefore, request.Json().GetProperty("model").GetString());
    }

    [Fact]
    public async Task TwoHundredEvents_ToOneEndpointWithOneInFlight_ArriveInPublishOrder()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/ordered", d => d with { MaxInFlight = 1 });
        await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.seq }}" });

        for (var batch = 0; batch < 10; batch++)
        {
            await _scenario.PublishAsync([.. Enumerable.Range(batch * 20, 20).Select(i => Scenario.Event(type, "created", new { seq = i }))]);
        }

        var requests = await _receiver.WaitForAsync("/ordered", 200);
        Assert.Equal(Enumerable.Range(0, 200), requests.Select(r => int.Parse(r.BodyText, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task ConcurrentPublishesOfOneType_AreEachDeliveredOnce_AndEachPublishersOrderHolds()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/concurrent", d => d with { MaxInFlight = 1 });
        await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.publisher }}:{{ data.seq }}" });
        var grain = fixture.Client.GetGrain<Events.IObjectTypeGrain>(type);
        var shared = Scenario.Event(type, "created", new { publisher = "shared", seq = 0 });

        // Eight publishers, one event per call, so that calls overlap and go out together; each also sends the
        // same shared event, which must be delivered once.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async p =>
        {
            for (var i = 0; i < 25; i++)
            {
                await grain.PublishAsync([Scenario.Event(type, "created", new { publisher = $"p{p}", seq = i })]);
                if (i == 10)
                {
                    await grain.PublishAsync([shared]);
                }
            }
        }));

        var bodies = (await _receiver.WaitForAsync("/concurrent", 201)).Select(r => r.BodyText).ToList();
        Assert.Single(bodies, b => b == "shared:0");
        for (var p = 0; p < 8; p++)
        {
            var publisher = $"p{p}:";
            Assert.Equal(
                Enumerable.Range(0, 25).Select(i => publisher + i),
                bodies.Where(b => b.StartsWith(publisher, StringComparison.Ordinal)));
        }

        var status = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync(),
            s => s.Delivered >= 201 && s.Queued == 0 && s.InFlight == 0,
            "the endpoint has nothing left to send");
        Assert.Equal(201, status.Delivered);
        Assert.Equal(201, _receiver.For("/concurrent").Count);
    }

    [Fact]
    public async Task FailingReceiver_IsRetriedAndEveryAttemptIsLogged()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/flaky");
        await _scenario.WebhookAsync(type, endpoint);
        _receiver.Respond = r => r.Path == "/flaky" && _receiver.For("/flaky").Count <= 2 ? 503 : 204;

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));

        await _receiver.WaitForAsync("/flaky", 3);
        var delivery = await Poll.ForAsync(
            async () => (await fixture.Client.GetGrain<Deliveries.IDeliveryLogGrain>(Deliveries.IDeliveryLogGrain.DefaultKey).ListAsync(new Deliveries.DeliveryQuery { EndpointId = endpoint })).Items,
            items => items.Length == 1 && items[0].Status == Deliveries.DeliveryStatus.Succeeded,
            "the delivery succeeded");
        Assert.Equal([503, 503, 204], delivery[0].Attempts.Select(a => a.StatusCode));
        var status = await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync();
        Assert.Equal(1, status.Delivered);
        Assert.Equal(3, status.Attempts);
        Assert.Equal(204, status.LastStatusCode);
    }
}
