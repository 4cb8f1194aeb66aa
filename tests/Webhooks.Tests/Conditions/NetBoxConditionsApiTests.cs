using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Conditions;

/// <summary>NetBox's condition cases (netbox-condition-cases.json) through the public API: a webhook with NetBox
/// `conditions` previewed by TestWebhook against each case's event, as a NetBox user would paste them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NetBoxConditionsApiTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task NetBoxsCases_ThroughTestWebhook_MatchAsNetBoxDoes_AndInvalidSetsAreRefusedNamingTheField()
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Api.V1.Endpoint { Name = "nb", Url = $"{Receiver.Url}/nb" } });
        var mismatches = new List<string>();
        var (evaluated, refused) = (0, 0);
        foreach (var entry in NetBoxConditionCases.All)
        {
            if (!TryStruct(entry.Conditions, out var conditions))
            {
                continue;
            }

            var webhook = new Webhook { Name = "nb", ObjectTypes = { "dcim.site" }, Events = { "*" }, EndpointIds = { endpoint.Id }, Conditions = conditions };
            if (!entry.Valid)
            {
                var ex = await Assert.ThrowsAsync<RpcException>(async () => await WebhooksApi.TestWebhookAsync(new TestWebhookRequest
                {
                    Webhook = webhook,
                    Event = new ObjectEvent { ObjectType = "dcim.site", Event = "updated" },
                }));
                if (ex.StatusCode != StatusCode.InvalidArgument || !ex.Status.Detail.StartsWith("webhook.conditions", StringComparison.Ordinal))
                {
                    mismatches.Add($"{entry.Name}: {ex.StatusCode} {ex.Status.Detail}");
                }

                refused++;
                continue;
            }

            foreach (var (c, i) in entry.Cases.Select((c, i) => (c, i)))
            {
                if (ToEvent(c.Data, entry.Conditions) is not { } item)
                {
                    continue;
                }

                var answer = await WebhooksApi.TestWebhookAsync(new TestWebhookRequest { Webhook = webhook, Event = item });
                var got = answer.Matched ? "true" : answer.Error.Length > 0 ? "invalid" : "false";
                if (got != c.Expect)
                {
                    mismatches.Add($"{entry.Name} case {i}: expected {c.Expect}, got {got} ({answer.Error})");
                }

                evaluated++;
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        // Most of NetBox's cases can be written as events (the rest, e.g. a null snapshots object, are run directly).
        Assert.True(evaluated > 150, $"{evaluated} cases evaluated");
        Assert.True(refused >= 8, $"{refused} invalid sets refused");
    }

    private static bool TryStruct(string json, out Struct value)
    {
        value = null!;
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        value = Struct.Parser.ParseJson(json);
        return true;
    }

    /// <summary>The case's context as a published event: its fields as data, its snapshots as prechange and
    /// postchange; null when the context is not one an event can carry: snapshots that are not both objects or null,
    /// or none at all where the conditions look at them (every event has both, null at least).</summary>
    private static ObjectEvent? ToEvent(JsonElement context, string conditions)
    {
        var item = new ObjectEvent { ObjectType = "dcim.site", Event = "updated" };
        var data = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var absent = false;
        foreach (var property in context.EnumerateObject())
        {
            switch (property.Name)
            {
                case "__absent__":
                    absent = true;
                    break;
                case "snapshots":
                    if (property.Value.ValueKind != JsonValueKind.Object
                        || !property.Value.TryGetProperty("prechange", out var pre) || !property.Value.TryGetProperty("postchange", out var post)
                        || !Snapshot(pre, out var prechange) || !Snapshot(post, out var postchange))
                    {
                        return null;
                    }

                    (item.Prechange, item.Postchange) = (prechange, postchange);
                    break;
                default:
                    data[property.Name] = property.Value;
                    break;
            }
        }

        if (!context.TryGetProperty("snapshots", out _)
            && (conditions.Contains("snapshots", StringComparison.Ordinal) || conditions.Contains("changed\"", StringComparison.Ordinal)))
        {
            return null;
        }

        if (!absent)
        {
            item.Data = Struct.Parser.ParseJson(JsonSerializer.Serialize(data));
        }

        return item;
    }

    private static bool Snapshot(JsonElement value, out Struct? snapshot)
    {
        snapshot = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        snapshot = Struct.Parser.ParseJson(value.GetRawText());
        return true;
    }
}
