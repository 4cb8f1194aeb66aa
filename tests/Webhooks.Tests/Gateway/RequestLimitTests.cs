using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

/// <summary>Bytes, not only counts, through the real gateway: an event over Gateway:MaxEventBytes is refused on both
/// transports naming the event and the limit, a JSON body over Gateway:MaxRequestBytes is refused before it is read,
/// free-text fields have lengths, and a page of deliveries stays within what one reply may carry.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RequestLimitTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    private const int MaxEventBytes = 1024 * 1024;

    private ObjectEvent Event(int dataChars, string? username = null) => new()
    {
        ObjectType = $"l{Prefix}.device",
        Event = "created",
        Username = username ?? "jdoe",
        Data = new Struct { Fields = { ["blob"] = Value.ForString(new string('x', dataChars)) } },
    };

    [Fact]
    public async Task AnEventOverMaxEventBytes_IsRefusedOverGrpc_NamingTheEventAndTheLimit()
    {
        var single = await Assert.ThrowsAsync<RpcException>(() => EventsApi.PublishAsync(new PublishRequest { Event = Event(MaxEventBytes + 1000) }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, single.StatusCode);
        Assert.Contains("event:", single.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Gateway:MaxEventBytes", single.Status.Detail, StringComparison.Ordinal);

        var batch = await Assert.ThrowsAsync<RpcException>(() => EventsApi.PublishBatchAsync(new PublishBatchRequest
        {
            Events = { Event(100), Event(MaxEventBytes + 1000) },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, batch.StatusCode);
        Assert.Contains("events[1]", batch.Status.Detail, StringComparison.Ordinal);

        // Just under the limit is accepted.
        await EventsApi.PublishAsync(new PublishRequest { Event = Event(MaxEventBytes - 1000) });
    }

    [Fact]
    public async Task AnEventOverMaxEventBytes_IsRefusedOverJson_AndABodyOverMaxRequestBytesIsNotRead()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), Timeout = TimeSpan.FromSeconds(60) };
        var json = "{\"event\": {\"objectType\": \"l" + Prefix + ".device\", \"event\": \"created\", \"data\": {\"blob\": \""
            + new string('x', MaxEventBytes + 1000) + "\"}}}";
        using var oversized = await http.PostAsync("/v1/events:publish", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, oversized.StatusCode);
        Assert.Contains("Gateway:MaxEventBytes", await oversized.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var huge = "{\"events\": [{\"objectType\": \"l" + Prefix + ".device\", \"event\": \"created\", \"data\": {\"blob\": \""
            + new string('x', 17 * 1024 * 1024) + "\"}}]}";
        // Expect: 100-continue lets the gateway answer before the body is sent, as it does (INVALID_ARGUMENT, from
        // Content-Length alone).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events:publishBatch") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        using var tooLarge = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        Assert.Contains("max request body size is 16777216 bytes", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("username", 151)]
    [InlineData("object_id", 257)]
    [InlineData("request_id", 129)]
    public async Task FreeTextEventFields_HaveLengths(string field, int length)
    {
        var e = Event(10);
        var text = new string('u', length);
        _ = field switch
        {
            "username" => e.Username = text,
            "object_id" => e.ObjectId = text,
            _ => e.RequestId = text,
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => EventsApi.PublishAsync(new PublishRequest { Event = e }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"event.{field}", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Descriptions_HaveALength()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "e", Url = "http://127.0.0.1:9/x", Description = new string('d', 1001) },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("endpoint.description", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageOfLargeDeliveries_EndsEarly_AndTheTokensReachEveryOne()
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "large", Url = $"{Receiver.Url}/large", MaxInFlight = 8 },
        });
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { $"l{Prefix}.device" }, Events = { "created" }, EndpointIds = { endpoint.Id } },
        });
        // 16 of 400 KB: more than one page carries (about 4 MiB), less than the log keeps (Delivery:LogMaxBytesPerEndpoint).
        const int count = 16;
        await EventsApi.PublishBatchAsync(new PublishBatchRequest { Events = { Enumerable.Range(0, count).Select(_ => Event(400_000)) } });
        await Receiver.WaitForAsync("/large", count);

        var deliveries = DeliveriesApi;
        var seen = new HashSet<string>();
        var pages = 0;
        var request = new ListDeliveriesRequest { EndpointId = endpoint.Id, PageSize = 1000 };
        do
        {
            var page = await deliveries.ListDeliveriesAsync(request);
            pages++;
            Assert.True(page.CalculateSize() < 8 * 1024 * 1024, $"page {pages} is {page.CalculateSize()} bytes");
            Assert.All(page.Deliveries, d => Assert.True(seen.Add(d.Id), $"{d.Id} listed twice"));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0 && pages < 50);

        Assert.Equal(count, seen.Count);
        Assert.True(pages > 1, "16 deliveries of 400 KB do not fit one reply");
    }
}
