using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>Event data rendered into additional headers (and a body), through the real gateway to a real receiver: a line break,
/// bare CR, NUL or other control character never reaches the wire (the delivery is a template error on the webhook,
/// nothing is sent), header_safe strips them when a template asks, and our own headers, Host and the framing headers
/// cannot be set by templates or endpoint headers.</summary>
[Collection(ClusterCollection.Name)]
public sealed class HeaderInjectionTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Theory]
    [InlineData("crlf", "a\r\nX-Evil: 1")]
    [InlineData("lf", "a\nX-Evil: 1")]
    [InlineData("cr", "a\rX-Evil: 1")]
    [InlineData("nul", "a\0X-Evil: 1")]
    [InlineData("bell", "a\u0007")]
    public async Task AControlCharacterInRenderedHeaders_SendsNothing_AndIsATemplateErrorOnTheWebhook(string name, string value)
    {
        var (type, webhook) = await WebhookAsync($"/{name}", "X-Device: {{ data.name }}");

        await PublishAsync(type, value, 1);
        await PublishAsync(type, "clean", 2);

        var arrived = await Receiver.WaitForAsync($"/{name}", 1);
        Assert.Equal("clean", arrived[0].Header("X-Device"));
        Assert.Null(arrived[0].Header("X-Evil"));
        var status = (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook })).Status;
        Assert.Equal(1, status.TemplateErrors);
        Assert.Contains("X-Device", status.LastError, StringComparison.Ordinal);
        Assert.Contains("control character", status.LastError, StringComparison.Ordinal);
        Assert.Single(Receiver.For($"/{name}"));
    }

    [Fact]
    public async Task ANulInTheRenderedBody_SendsNothing_AndIsATemplateErrorOnTheWebhook()
    {
        var (type, webhook) = await WebhookAsync("/nul-body", "", "{{ data.name }}");

        await PublishAsync(type, "a\0b", 1);
        await PublishAsync(type, "clean", 2);

        var arrived = await Receiver.WaitForAsync("/nul-body", 1);
        Assert.Equal("clean", arrived[0].BodyText);
        var status = (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook })).Status;
        Assert.Equal(1, status.TemplateErrors);
        Assert.Contains("NUL", status.LastError, StringComparison.Ordinal);
        Assert.Single(Receiver.For("/nul-body"));
    }

    [Fact]
    public async Task HeaderSafe_StripsControlCharacters_SoTheHeaderIsSent()
    {
        var (type, _) = await WebhookAsync("/safe", "X-Device: {{ data.name | header_safe }}");

        await PublishAsync(type, "a\r\nX-Evil: 1\0", 1);
        var arrived = await Receiver.WaitForAsync("/safe", 1);
        Assert.Equal("aX-Evil: 1", arrived[0].Header("X-Device"));
        Assert.Null(arrived[0].Header("X-Evil"));
    }

    [Fact]
    public async Task ARenderedHeaderName_ThatIsOneOfOurs_IsATemplateError()
    {
        var (type, webhook) = await WebhookAsync("/forged-name", "{{ data.name }}: forged");

        await PublishAsync(type, "X-Hook-Signature", 1);
        await PublishAsync(type, "X-Site", 2);

        var arrived = await Receiver.WaitForAsync("/forged-name", 1);
        Assert.Equal("forged", arrived[0].Header("X-Site"));
        Assert.NotEqual("forged", arrived[0].Header("X-Hook-Signature"));
        Assert.Equal(1, (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook })).Status.TemplateErrors);
    }

    [Theory]
    [InlineData("X-Hook-Signature: forged")]
    [InlineData("x-hook-delivery: 1")]
    [InlineData("X-Hook-Anything: 1")]
    [InlineData("Host: internal.example")]
    [InlineData("Content-Length: 0")]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("Connection: close")]
    [InlineData("X-Ok: 1\n{% if data %}X-Two: 2\n{% endif %}")]
    public async Task AdditionalHeadersThatCannotBeSent_AreRefusedAtCreate(string headers)
    {
        var endpoint = await EndpointAsync("/never");

        var ex = await Assert.ThrowsAsync<RpcException>(() => WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { "dcim.device" }, Events = { "*" }, EndpointIds = { endpoint }, AdditionalHeaders = headers },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("webhook.additional_headers", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Hook-Delivery", "1", "name")]
    [InlineData("Host", "internal.example", "name")]
    [InlineData("X-Token", "a\u0001b", "value")]
    [InlineData("X-Token", "a\rb", "value")]
    public async Task EndpointHeadersThatCannotBeSent_AreRefusedAtCreate(string name, string value, string part)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "e", Url = $"{Receiver.Url}/x", Headers = { new Header { Name = name, Value = value } } },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"endpoint.headers[0].{part}", ex.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<string> EndpointAsync(string path) =>
        (await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "receiver", Url = $"{Receiver.Url}{path}" } })).Id;

    private async Task<(string Type, string Webhook)> WebhookAsync(string path, string headers, string body = "")
    {
        var type = $"h{Prefix}{path.Trim('/').Replace("-", "", StringComparison.Ordinal)}.device";
        var endpoint = await EndpointAsync(path);
        var webhook = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint }, AdditionalHeaders = headers, BodyTemplate = body },
        });
        return (type, webhook.Id);
    }

    private Task<PublishResponse> PublishAsync(string type, string name, int n) =>
        new Api.V1.Events.EventsClient(Gateway.Channel).PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent
            {
                ObjectType = type,
                Event = "created",
                Data = new Struct { Fields = { ["name"] = Value.ForString(name), ["n"] = Value.ForNumber(n) } },
            },
        }).ResponseAsync;
}
