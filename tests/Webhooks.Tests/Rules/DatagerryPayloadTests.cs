using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Rules;

/// <summary>payload_format DATAGERRY: without a body template a webhook sends what DATAGERRY's webhooks send, so
/// receivers written against DATAGERRY keep working.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DatagerryPayloadTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task Update_IsOperationUpdate_WithBothObjects_AndTheChangedFieldsOldAndNew()
    {
        var body = await PreviewAsync("updated",
            prechange: """{"name": "sw1", "status": "planned", "serial": "A1"}""",
            postchange: """{"name": "sw1", "status": "active", "serial": "A1", "rack": 4}""");

        Assert.Equal("2026-12-07T10:00:00.0000000+00:00", body.GetProperty("event_time").GetString());
        Assert.Equal("UPDATE", body.GetProperty("operation").GetString());
        Assert.Equal("planned", body.GetProperty("object_before").GetProperty("status").GetString());
        Assert.Equal("active", body.GetProperty("object_after").GetProperty("status").GetString());
        var changes = body.GetProperty("changes");
        Assert.Equal("""[{"name":"status","value":"planned"},{"name":"rack","value":null}]""", changes.GetProperty("old").GetRawText());
        Assert.Equal("""[{"name":"status","value":"active"},{"name":"rack","value":4}]""", changes.GetProperty("new").GetRawText());
    }

    [Fact]
    public async Task CreateAndDelete_CarryTheObjectOnTheSideWhereItExists_AndNoChanges()
    {
        var created = await PreviewAsync("created", prechange: null, postchange: null, data: """{"name": "sw2"}""");
        Assert.Equal("CREATE", created.GetProperty("operation").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("object_before").ValueKind);
        Assert.Equal("sw2", created.GetProperty("object_after").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("changes").ValueKind);

        var deleted = await PreviewAsync("deleted", prechange: """{"name": "sw3"}""", postchange: null, data: """{"name": "sw3"}""");
        Assert.Equal("DELETE", deleted.GetProperty("operation").GetString());
        Assert.Equal("sw3", deleted.GetProperty("object_before").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, deleted.GetProperty("object_after").ValueKind);
    }

    private async Task<JsonElement> PreviewAsync(string eventName, string? prechange, string? postchange, string data = """{"name": "sw1"}""")
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Api.V1.Endpoint { Name = "dg", Url = $"{Receiver.Url}/dg" } });
        var answer = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest
        {
            Webhook = new Webhook
            {
                Name = "dg", ObjectTypes = { "cmdb.object" }, Events = { "*" }, EndpointIds = { endpoint.Id },
                PayloadFormat = Webhook.Types.PayloadFormat.Datagerry,
            },
            Event = new ObjectEvent
            {
                ObjectType = "cmdb.object",
                Event = eventName,
                Timestamp = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero)),
                Data = Struct.Parser.ParseJson(data),
                Prechange = prechange is null ? null : Struct.Parser.ParseJson(prechange),
                Postchange = postchange is null ? null : Struct.Parser.ParseJson(postchange),
            },
        });
        Assert.True(answer.Matched, answer.Error);
        return JsonDocument.Parse(answer.Body).RootElement.Clone();
    }
}
