using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Config;

/// <summary>What docs/migrating.md walks through: NetBox's REST export of webhooks and event rules, converted,
/// imported, and then a matching event arrives as NetBox would have sent it (its template rendered, its
/// X-Hook-Signature), while one the rule's conditions reject does not.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NetBoxMigrationTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task ANetBoxExport_ConvertedAndImported_DeliversWhatNetBoxWouldSend()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl) };
        var type = $"n{Prefix}.device";
        var webhooks = new JsonObject
        {
            ["count"] = 1, ["next"] = null, ["previous"] = null,
            ["results"] = new JsonArray(new JsonObject
            {
                ["id"] = 7, ["url"] = "https://netbox.example.com/api/extras/webhooks/7/", ["display"] = "Ops", ["name"] = "Ops",
                ["description"] = "", ["payload_url"] = $"{Receiver.Url}/{Prefix}/{{{{ data.name }}}}", ["http_method"] = "POST",
                ["http_content_type"] = "application/json", ["additional_headers"] = "X-Source: netbox\nX-Device: {{ data.name | header_safe }}",
                ["body_template"] = "{\"text\": \"Device {{ data.name }} is {{ data.status.label }} ({{ data.tags | map(attribute='slug') | join(', ') }})\"}",
                ["secret"] = $"secret-{Prefix}", ["ssl_verification"] = true, ["ca_file_path"] = null, ["timeout"] = 10,
                ["custom_fields"] = new JsonObject(), ["tags"] = new JsonArray(), ["created"] = "2025-03-14T09:12:44Z", ["last_updated"] = "2025-03-14T09:12:44Z",
            }),
        };
        var rules = new JsonArray(new JsonObject
        {
            ["id"] = 3, ["url"] = "https://netbox.example.com/api/extras/event-rules/3/", ["display"] = "Active devices",
            ["object_types"] = new JsonArray(type), ["name"] = "Active devices", ["enabled"] = true,
            ["event_types"] = new JsonArray("object_created", "object_updated"),
            ["conditions"] = JsonNode.Parse("""{"and": [{"attr": "status.value", "value": "active"}]}"""),
            ["action_type"] = new JsonObject { ["value"] = "webhook", ["label"] = "Webhook" }, ["action_object_type"] = "extras.webhook",
            ["action_object_id"] = 7, ["action_object"] = new JsonObject { ["id"] = 7, ["name"] = "Ops" },
            ["description"] = "", ["custom_fields"] = new JsonObject(), ["tags"] = new JsonArray(),
        });

        var converted = await PostAsync(http, "/v1/config:convertNetBox", new JsonObject { ["webhooks"] = webhooks, ["eventRules"] = rules });
        var document = converted["document"]!;
        Assert.Equal("netbox-webhook-7", (string)document["endpoints"]![0]!["id"]!);
        Assert.Equal("netbox-event-rule-3", (string)document["webhooks"]![0]!["id"]!);
        // Fresh ids per test run: the cluster is shared.
        document["endpoints"]![0]!["id"] = $"{Prefix}-nb-ep";
        document["webhooks"]![0]!["id"] = $"{Prefix}-nb-wh";
        document["webhooks"]![0]!["endpointIds"] = new JsonArray($"{Prefix}-nb-ep");

        var imported = await PostAsync(http, "/v1/config:import", new JsonObject { ["document"] = document.DeepClone() });
        Assert.Equal(["CREATE", "CREATE"], imported["changes"]!.AsArray().Select(c => (string)c!["action"]!));

        foreach (var (name, status) in new[] { ("sw-ams-01", "active"), ("sw-ams-02", "planned"), ("sw-ams-03", "active") })
        {
            await EventsApi.PublishAsync(new PublishRequest
            {
                Event = new ObjectEvent
                {
                    ObjectType = type, Event = "created", Username = "jdoe",
                    Data = Struct.Parser.ParseJson($$"""{"name": "{{name}}", "status": {"value": "{{status}}", "label": "{{char.ToUpperInvariant(status[0]) + status[1..]}}"}, "tags": [{"slug": "core"}, {"slug": "ams"}]}"""),
                },
            });
        }

        var delivered = (await Receiver.WaitForAsync($"/{Prefix}/sw-ams-01", 1)).Single();
        Assert.Equal("""{"text": "Device sw-ams-01 is Active (core, ams)"}""", delivered.BodyText);
        Assert.Equal("sw-ams-01", delivered.Header("X-Device"));
        Assert.Equal("netbox", delivered.Header("X-Source"));
        Assert.Equal(Convert.ToHexString(HMACSHA512.HashData(Encoding.UTF8.GetBytes($"secret-{Prefix}"), delivered.Body)).ToLowerInvariant(), delivered.Header("X-Hook-Signature"));
        // Events of a type reach a webhook in order: once the third has arrived, the second was judged (and rejected).
        await Receiver.WaitForAsync($"/{Prefix}/sw-ams-03", 1);
        Assert.DoesNotContain(Receiver.Requests, r => r.Path.EndsWith("sw-ams-02", StringComparison.Ordinal));
    }

    private static async Task<JsonObject> PostAsync(HttpClient http, string path, JsonObject body)
    {
        var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
