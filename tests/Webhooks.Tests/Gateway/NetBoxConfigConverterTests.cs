using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Webhooks.Errors;
using Webhooks.Gateway.Config;

namespace Webhooks.Tests.Gateway;

/// <summary>Exports as NetBox's GET /api/extras/webhooks/ and /api/extras/event-rules/ return them: the field lists of its
/// WebhookSerializer and EventRuleSerializer (4.7, and 4.0 / 3.7 for the older shapes).</summary>
public sealed partial class NetBoxConfigConverterTests
{
    private const string Webhooks47 = """
        {"count": 3, "next": null, "previous": null, "results": [
          {"id": 1, "url": "https://netbox.example.com/api/extras/webhooks/1/", "display_url": "https://netbox.example.com/extras/webhooks/1/", "display": "Ops receiver", "name": "Ops receiver",
           "description": "Device changes for the ops pipeline", "payload_url": "https://hooks.example.net/netbox/{{ data.site.slug }}", "http_method": "POST", "http_content_type": "application/json",
           "additional_headers": "X-Source: netbox\nX-Object: {{ data.name | header_safe }}", "body_template": "{\n  \"device\": \"{{ data.name }}\",\n  \"event\": \"{{ event }}\"\n}", "secret": "hmac-7f3a9c",
           "ssl_verification": true, "ca_file_path": null, "timeout": 15, "custom_fields": {}, "owner": {"id": 2, "url": "https://netbox.example.com/api/users/owners/2/", "display": "NetOps", "name": "NetOps", "description": ""},
           "tags": [{"id": 3, "url": "https://netbox.example.com/api/extras/tags/3/", "display_url": "https://netbox.example.com/extras/tags/3/", "display": "Production", "name": "Production", "slug": "production", "color": "f44336"}],
           "created": "2025-03-14T09:12:44.318911Z", "last_updated": "2026-07-02T16:40:03.120557Z"},
          {"id": 3, "url": "https://netbox.example.com/api/extras/webhooks/3/", "display_url": "https://netbox.example.com/extras/webhooks/3/", "display": "Legacy CMDB", "name": "Legacy CMDB", "description": "",
           "payload_url": "http://cmdb.internal:8080/api/netbox", "http_method": "PUT", "http_content_type": "application/x-www-form-urlencoded", "additional_headers": "", "body_template": "", "secret": "",
           "ssl_verification": false, "ca_file_path": "/etc/ssl/certs/internal-ca.pem", "timeout": null, "custom_fields": {"cost_center": "IT-42"}, "owner": null, "tags": [], "created": "2025-04-01T11:00:00Z",
           "last_updated": "2025-04-01T11:00:00Z"},
          {"id": 5, "url": "https://netbox.example.com/api/extras/webhooks/5/", "display_url": "https://netbox.example.com/extras/webhooks/5/", "display": "Unused hook", "name": "Unused hook", "description": "",
           "payload_url": "https://spare.example.net/hook", "http_method": "POST", "http_content_type": "application/json", "additional_headers": "", "body_template": "", "secret": "", "ssl_verification": true, "ca_file_path": "",
           "timeout": 600, "custom_fields": {}, "owner": null, "tags": [], "created": "2026-01-09T08:30:12.004411Z", "last_updated": "2026-01-09T08:30:12.004411Z"}]}
        """;

    private const string EventRules47 = """
        {"count": 6, "next": null, "previous": null, "results": [
          {"id": 2, "url": "https://netbox.example.com/api/extras/event-rules/2/", "display_url": "https://netbox.example.com/extras/event-rules/2/", "display": "Device changes to ops",
           "object_types": ["dcim.device", "dcim.interface"], "name": "Device changes to ops", "enabled": true, "event_types": ["object_created", "object_updated", "object_deleted"],
           "conditions": {"and": [{"attr": "status.value", "value": "active"}, {"attr": "status", "op": "changed"}, {"or": [{"attr": "site.slug", "value": ["ams1", "fra2"], "op": "in"}, {"attr": "custom_fields.criticality", "value": 3, "op": "gte", "negate": true}]}]},
           "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 1,
           "action_object": {"id": 1, "url": "https://netbox.example.com/api/extras/webhooks/1/", "display": "Ops receiver", "name": "Ops receiver", "description": "Device changes for the ops pipeline"},
           "action_is_available": true, "description": "Active devices only", "custom_fields": {}, "owner": null, "tags": [], "created": "2025-03-14T09:15:02.771100Z", "last_updated": "2026-07-02T16:41:19.400000Z"},
          {"id": 4, "url": "https://netbox.example.com/api/extras/event-rules/4/", "display_url": "https://netbox.example.com/extras/event-rules/4/", "display": "Prefix audit", "object_types": ["ipam.prefix"],
           "name": "Prefix audit", "enabled": false, "event_types": ["object_updated"], "conditions": null, "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 1,
           "action_object": {"id": 1, "url": "https://netbox.example.com/api/extras/webhooks/1/", "display": "Ops receiver", "name": "Ops receiver", "description": "Device changes for the ops pipeline"},
           "action_is_available": true, "description": "", "custom_fields": {}, "owner": null, "tags": [], "created": "2025-05-20T10:00:00Z", "last_updated": "2025-05-20T10:00:00Z"},
          {"id": 7, "url": "https://netbox.example.com/api/extras/event-rules/7/", "display_url": "https://netbox.example.com/extras/event-rules/7/", "display": "Job outcomes to CMDB", "object_types": ["dcim.site"],
           "name": "Job outcomes to CMDB", "enabled": true, "event_types": ["job_started", "job_completed", "job_failed", "job_errored", "ticket_opened", "branch.merged"], "conditions": null,
           "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 3,
           "action_object": {"id": 3, "url": "https://netbox.example.com/api/extras/webhooks/3/", "display": "Legacy CMDB", "name": "Legacy CMDB", "description": ""}, "action_is_available": true, "description": "",
           "custom_fields": {}, "owner": null, "tags": [], "created": "2025-04-01T11:05:00Z", "last_updated": "2025-04-01T11:05:00Z"},
          {"id": 9, "url": "https://netbox.example.com/api/extras/event-rules/9/", "display_url": "https://netbox.example.com/extras/event-rules/9/", "display": "Run cleanup script", "object_types": ["dcim.device"],
           "name": "Run cleanup script", "enabled": true, "event_types": ["object_deleted"], "conditions": null, "action_type": {"value": "script", "label": "Script"}, "action_object_type": "extras.script", "action_object_id": 4,
           "action_object": {"id": 4, "url": "https://netbox.example.com/api/extras/scripts/4/", "display": "Cleanup", "name": "Cleanup", "description": "Removes stale cables"}, "action_is_available": true, "description": "",
           "custom_fields": {}, "owner": null, "tags": [], "created": "2025-06-11T07:45:00Z", "last_updated": "2025-06-11T07:45:00Z"},
          {"id": 11, "url": "https://netbox.example.com/api/extras/event-rules/11/", "display_url": "https://netbox.example.com/extras/event-rules/11/", "display": "Notify NOC", "object_types": ["circuits.circuit"],
           "name": "Notify NOC", "enabled": true, "event_types": ["object_updated"], "conditions": null, "action_type": {"value": "notification", "label": "Notification"}, "action_object_type": "extras.notificationgroup",
           "action_object_id": 1, "action_object": {"id": 1, "url": "https://netbox.example.com/api/extras/notification-groups/1/", "display": "NOC", "name": "NOC", "description": ""}, "action_is_available": true,
           "description": "", "custom_fields": {}, "owner": null, "tags": [], "created": "2025-06-12T07:45:00Z", "last_updated": "2025-06-12T07:45:00Z"},
          {"id": 12, "url": "https://netbox.example.com/api/extras/event-rules/12/", "display_url": "https://netbox.example.com/extras/event-rules/12/", "display": "Orphaned rule", "object_types": ["dcim.rack"],
           "name": "Orphaned rule", "enabled": true, "event_types": ["object_created"], "conditions": null, "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 42,
           "action_object": {"id": 42, "url": "https://netbox.example.com/api/extras/webhooks/42/", "display": "Elsewhere", "name": "Elsewhere", "description": ""}, "action_is_available": true, "description": "",
           "custom_fields": {}, "owner": null, "tags": [], "created": "2025-06-13T07:45:00Z", "last_updated": "2025-06-13T07:45:00Z"}]}
        """;

    private static NetBoxConversion Convert47() => NetBoxConfigConverter.Convert(JsonNode.Parse(Webhooks47), JsonNode.Parse(EventRules47));

    private static JsonArray Items(JsonObject document, string key) => document[key]!.AsArray();

    private static JsonObject ById(JsonObject document, string key, string id) =>
        Assert.Single(Items(document, key), e => e!["id"]!.GetValue<string>() == id)!.AsObject();

    private static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(n => n!.GetValue<string>())];

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex OurId();

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    [Fact]
    public void Webhooks_BecomeEndpoints_InNetBoxIdOrder()
    {
        var document = Convert47().Document;

        Assert.Equal(["netbox-webhook-1", "netbox-webhook-3", "netbox-webhook-5"], Items(document, "endpoints").Select(e => e!["id"]!.GetValue<string>()));
        AssertJson("""
            {"id": "netbox-webhook-1", "name": "Ops receiver", "url": "https://hooks.example.net/netbox/{{ data.site.slug }}", "secret": "hmac-7f3a9c",
             "sslVerification": true, "timeout": "15s", "description": "Device changes for the ops pipeline", "templateLanguage": "JINJA2"}
            """, ById(document, "endpoints", "netbox-webhook-1"));
        AssertJson("""
            {"id": "netbox-webhook-3", "name": "Legacy CMDB", "url": "http://cmdb.internal:8080/api/netbox", "sslVerification": false,
             "caFilePath": "/etc/ssl/certs/internal-ca.pem", "templateLanguage": "JINJA2"}
            """, ById(document, "endpoints", "netbox-webhook-3"));
        AssertJson("""
            {"id": "netbox-webhook-5", "name": "Unused hook", "url": "https://spare.example.net/hook", "sslVerification": true, "timeout": "300s", "templateLanguage": "JINJA2"}
            """, ById(document, "endpoints", "netbox-webhook-5"));
    }

    [Fact]
    public void WebhookEventRules_BecomeWebhooks_WithTheirWebhooksHttpFields()
    {
        var document = Convert47().Document;

        Assert.Equal(["netbox-event-rule-2", "netbox-event-rule-4", "netbox-event-rule-7"], Items(document, "webhooks").Select(w => w!["id"]!.GetValue<string>()));
        var devices = ById(document, "webhooks", "netbox-event-rule-2");
        Assert.Equal("X-Source: netbox\nX-Object: {{ data.name | header_safe }}", devices["additionalHeaders"]!.GetValue<string>());
        Assert.Equal("{\n  \"device\": \"{{ data.name }}\",\n  \"event\": \"{{ event }}\"\n}", devices["bodyTemplate"]!.GetValue<string>());
        Assert.True(devices.Remove("conditions"));
        AssertJson("""
            {"id": "netbox-event-rule-2", "name": "Device changes to ops", "enabled": true, "objectTypes": ["dcim.device", "dcim.interface"],
             "events": ["created", "updated", "deleted"], "httpMethod": "POST", "httpContentType": "application/json",
             "additionalHeaders": "X-Source: netbox\nX-Object: {{ data.name | header_safe }}",
             "bodyTemplate": "{\n  \"device\": \"{{ data.name }}\",\n  \"event\": \"{{ event }}\"\n}",
             "endpointIds": ["netbox-webhook-1"], "description": "Active devices only", "templateLanguage": "JINJA2", "payloadFormat": "NETBOX"}
            """, devices);
        AssertJson("""
            {"id": "netbox-event-rule-4", "name": "Prefix audit", "enabled": false, "objectTypes": ["ipam.prefix"], "events": ["updated"], "httpMethod": "POST",
             "httpContentType": "application/json", "additionalHeaders": "X-Source: netbox\nX-Object: {{ data.name | header_safe }}",
             "bodyTemplate": "{\n  \"device\": \"{{ data.name }}\",\n  \"event\": \"{{ event }}\"\n}",
             "endpointIds": ["netbox-webhook-1"], "templateLanguage": "JINJA2", "payloadFormat": "NETBOX"}
            """, ById(document, "webhooks", "netbox-event-rule-4"));
        AssertJson("""
            {"id": "netbox-event-rule-7", "name": "Job outcomes to CMDB", "enabled": true, "objectTypes": ["dcim.site"],
             "events": ["job_started", "job_completed", "job_failed", "job_errored", "ticket_opened"], "httpMethod": "PUT",
             "httpContentType": "application/x-www-form-urlencoded", "endpointIds": ["netbox-webhook-3"], "templateLanguage": "JINJA2", "payloadFormat": "NETBOX"}
            """, ById(document, "webhooks", "netbox-event-rule-7"));
    }

    [Fact]
    public void Conditions_AreCarriedUnchanged()
    {
        var expected = JsonNode.Parse(EventRules47)!["results"]![0]!["conditions"];

        var conditions = ById(Convert47().Document, "webhooks", "netbox-event-rule-2")["conditions"];

        Assert.NotNull(conditions);
        Assert.True(JsonNode.DeepEquals(expected, conditions), conditions.ToJsonString());
    }

    [Fact]
    public void SkippedRulesAndUnusedWebhooks_AreReported()
    {
        var warnings = Convert47().Warnings;

        Assert.Contains(warnings, w => w.Contains("event rule 9 \"Run cleanup script\" skipped", StringComparison.Ordinal) && w.Contains("\"script\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("event rule 11 \"Notify NOC\" skipped", StringComparison.Ordinal) && w.Contains("\"notification\"", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("event rule 12 \"Orphaned rule\" skipped", StringComparison.Ordinal) && w.Contains("webhook 42", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("event rule 7", StringComparison.Ordinal) && w.Contains("\"branch.merged\" dropped", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("webhook 5 \"Unused hook\"", StringComparison.Ordinal) && w.Contains("no webhook event rule", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("netbox-webhook-5", StringComparison.Ordinal) && w.Contains("600s", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("webhook 1 \"Ops receiver\"", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProducedId_MatchesOurIdPattern()
    {
        var document = Convert47().Document;

        var ids = Items(document, "endpoints").Select(e => e!["id"]!.GetValue<string>())
            .Concat(Items(document, "webhooks").SelectMany(w => Strings(w!["endpointIds"]).Append(w["id"]!.GetValue<string>())))
            .ToList();
        Assert.Equal(9, ids.Count);
        Assert.All(ids, id => Assert.Matches(OurId(), id));
    }

    [Fact]
    public void BareArrays_GiveTheSameResultAsPages()
    {
        var paged = Convert47();

        var bare = NetBoxConfigConverter.Convert(JsonNode.Parse(Webhooks47)!["results"]!.DeepClone(), JsonNode.Parse(EventRules47)!["results"]!.DeepClone());

        Assert.Equal(3, Items(bare.Document, "webhooks").Count);
        Assert.True(JsonNode.DeepEquals(paged.Document, bare.Document), bare.Document.ToJsonString());
        Assert.Equal(paged.Warnings, bare.Warnings);
    }

    [Fact]
    public void APageWithMoreToCome_IsReported()
    {
        var page = JsonNode.Parse(Webhooks47)!.AsObject();
        page["next"] = "https://netbox.example.com/api/extras/webhooks/?limit=3&offset=3";

        var warnings = NetBoxConfigConverter.Convert(page, null).Warnings;

        Assert.Contains(warnings, w => w.StartsWith("netbox_webhooks is one page", StringComparison.Ordinal) && w.Contains("offset=3", StringComparison.Ordinal));
    }

    [Fact]
    public void OlderEventRules_WithTypeBooleans_AreMapped()
    {
        // NetBox 4.0: type_* flags instead of event_types, no display_url / timeout / owner.
        const string webhooks40 = """
            [{"id": 8, "url": "https://netbox.example.com/api/extras/webhooks/8/", "display": "Monitoring", "name": "Monitoring", "description": "",
              "payload_url": "https://mon.example.org/netbox", "http_method": "PATCH", "http_content_type": "application/json", "additional_headers": "", "body_template": "",
              "secret": "old-secret", "ssl_verification": true, "ca_file_path": null, "custom_fields": {}, "tags": [], "created": "2024-05-02T10:11:12.000000Z", "last_updated": "2024-05-02T10:11:12.000000Z"}]
            """;
        const string rules40 = """
            {"count": 2, "next": null, "previous": null, "results": [
              {"id": 3, "url": "https://netbox.example.com/api/extras/event-rules/3/", "display": "Sites", "object_types": ["dcim.site"], "name": "Sites", "type_create": true,
               "type_update": false, "type_delete": true, "type_job_start": false, "type_job_end": true, "enabled": true, "conditions": null,
               "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 8,
               "action_object": {"id": 8, "url": "https://netbox.example.com/api/extras/webhooks/8/", "display": "Monitoring", "name": "Monitoring", "description": ""},
               "description": "", "custom_fields": {}, "tags": [], "created": "2024-05-02T10:12:00Z", "last_updated": "2024-05-02T10:12:00Z"},
              {"id": 6, "url": "https://netbox.example.com/api/extras/event-rules/6/", "display": "Nothing", "object_types": ["dcim.site"], "name": "Nothing", "type_create": false,
               "type_update": false, "type_delete": false, "type_job_start": false, "type_job_end": false, "enabled": true, "conditions": null,
               "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_type": "extras.webhook", "action_object_id": 8, "action_object": null,
               "description": "", "custom_fields": {}, "tags": [], "created": "2024-05-02T10:13:00Z", "last_updated": "2024-05-02T10:13:00Z"}]}
            """;

        var result = NetBoxConfigConverter.Convert(JsonNode.Parse(webhooks40), JsonNode.Parse(rules40));

        AssertJson("""
            {"id": "netbox-event-rule-3", "name": "Sites", "enabled": true, "objectTypes": ["dcim.site"], "events": ["created", "deleted", "job_completed", "job_errored", "job_failed"],
             "httpMethod": "PATCH", "httpContentType": "application/json", "endpointIds": ["netbox-webhook-8"], "templateLanguage": "JINJA2", "payloadFormat": "NETBOX"}
            """, Assert.Single(Items(result.Document, "webhooks"))!);
        Assert.Equal("old-secret", ById(result.Document, "endpoints", "netbox-webhook-8")["secret"]!.GetValue<string>());
        Assert.Contains(result.Warnings, w => w.Contains("event rule 6 \"Nothing\" skipped", StringComparison.Ordinal) && w.Contains("no event types", StringComparison.Ordinal));
    }

    [Fact]
    public void NetBox37ContentTypes_AndObjectTypeObjects_AreReadAsObjectTypes()
    {
        const string rules = """
            [{"id": 1, "name": "Old", "content_types": ["dcim.device"], "type_update": true, "action_type": {"value": "webhook", "label": "Webhook"}, "action_object_id": 2},
             {"id": 2, "name": "Objects", "object_types": [{"id": 40, "app_label": "ipam", "model": "ipaddress"}], "event_types": ["object_created"], "action_type": "webhook", "action_object_id": 2}]
            """;
        const string webhooks = """[{"id": 2, "name": "Hook", "payload_url": "https://h.example.com/"}]""";

        var document = NetBoxConfigConverter.Convert(JsonNode.Parse(webhooks), JsonNode.Parse(rules)).Document;

        Assert.Equal(["dcim.device"], Strings(ById(document, "webhooks", "netbox-event-rule-1")["objectTypes"]));
        Assert.Equal(["updated"], Strings(ById(document, "webhooks", "netbox-event-rule-1")["events"]));
        Assert.Equal(["ipam.ipaddress"], Strings(ById(document, "webhooks", "netbox-event-rule-2")["objectTypes"]));
    }

    [Fact]
    public void ARuleWhoseWebhookIsMissing_UsesTheNestedWebhookWhenItCarriesTheFields()
    {
        const string rules = """
            [{"id": 5, "name": "Nested", "object_types": ["dcim.cable"], "event_types": ["object_deleted"], "action_type": "webhook",
              "action_object_type": "extras.webhook", "action_object_id": 77,
              "action_object": {"id": 77, "name": "Full", "payload_url": "https://full.example.com/in", "http_method": "DELETE", "body_template": "{{ data.id }}"}}]
            """;

        var result = NetBoxConfigConverter.Convert(null, JsonNode.Parse(rules));

        var webhook = Assert.Single(Items(result.Document, "webhooks"))!.AsObject();
        Assert.Equal(["netbox-webhook-77"], Strings(webhook["endpointIds"]));
        Assert.Equal("DELETE", webhook["httpMethod"]!.GetValue<string>());
        Assert.Equal("{{ data.id }}", webhook["bodyTemplate"]!.GetValue<string>());
        Assert.Equal("https://full.example.com/in", ById(result.Document, "endpoints", "netbox-webhook-77")["url"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string, string> Hostile => new()
    {
        { """{"count": 1, "next": null, "results": [{"id": "1", "name": "x", "payload_url": "https://a.example"}]}""", "[]", "netbox_webhooks", "results[0].id must be a number" },
        { "\"webhooks\"", "[]", "netbox_webhooks", "must be an array" },
        { """{"count": 1, "results": {"id": 1}}""", "[]", "netbox_webhooks", "results must be an array" },
        { """{"count": "1", "results": []}""", "[]", "netbox_webhooks", "count must be" },
        { "[1, 2]", "[]", "netbox_webhooks", "[0] must be an object" },
        { """[{"name": "x", "payload_url": "https://a.example"}]""", "[]", "netbox_webhooks", "[0].id is required" },
        { """[{"id": 1.5, "name": "x", "payload_url": "https://a.example"}]""", "[]", "netbox_webhooks", "[0].id must be an integer" },
        { """[{"id": -3, "name": "x", "payload_url": "https://a.example"}]""", "[]", "netbox_webhooks", "[0].id must be an integer" },
        { """[{"id": 1, "name": "x", "payload_url": 42}]""", "[]", "netbox_webhooks", "[0].payload_url must be a string" },
        { """[{"id": 1, "name": "x", "payload_url": "https://a.example", "http_method": "TRACE"}]""", "[]", "netbox_webhooks", "[0].http_method" },
        { """[{"id": 1, "name": "x", "payload_url": "https://a.example", "timeout": 0}]""", "[]", "netbox_webhooks", "[0].timeout" },
        { """[{"id": 1, "name": "x", "payload_url": "https://a.example", "ssl_verification": "no"}]""", "[]", "netbox_webhooks", "[0].ssl_verification must be true or false" },
        { """[{"id": 1, "name": "x", "payload_url": "https://a"}, {"id": 1, "name": "y", "payload_url": "https://b"}]""", "[]", "netbox_webhooks", "[1].id 1 appears more than once" },
        { "[]", """[{"id": 1, "name": "r", "object_types": "dcim.device", "event_types": ["object_created"], "action_type": "webhook"}]""", "netbox_event_rules", "[0].object_types must be an array" },
        { "[]", """[{"id": 1, "name": "r", "object_types": ["dcim"], "event_types": ["object_created"], "action_type": "webhook"}]""", "netbox_event_rules", "[0].object_types[0] must be" },
        { "[]", """[{"id": 1, "name": "r", "object_types": ["dcim.device"], "event_types": [1], "action_type": "webhook"}]""", "netbox_event_rules", "[0].event_types[0] must be a string" },
        { "[]", """[{"id": 1, "name": "r", "object_types": ["dcim.device"], "event_types": ["object_created"], "conditions": "status == active", "action_type": "webhook"}]""", "netbox_event_rules", "[0].conditions must be an object" },
        { "[]", """[{"id": 1, "name": "r", "object_types": ["dcim.device"], "event_types": ["object_created"], "action_type": "webhook", "action_object_id": "1"}]""", "netbox_event_rules", "[0].action_object_id must be a number" },
        { "[]", """[{"id": 1, "name": "r", "object_types": ["dcim.device"], "event_types": ["object_created"], "action_type": {"label": "Webhook"}}]""", "netbox_event_rules", "[0].action_type.value" },
        { "[]", """[{"id": 1, "name": "r", "enabled": "yes", "object_types": ["dcim.device"], "event_types": ["object_created"], "action_type": "webhook"}]""", "netbox_event_rules", "[0].enabled must be true or false" },
        { "[]", """[{"name": "r", "object_types": ["dcim.device"], "event_types": ["object_created"], "action_type": "webhook"}]""", "netbox_event_rules", "[0].id is required" },
        { "[]", "{\"results\": [null]}", "netbox_event_rules", "results[0] must be an object" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileInput_IsRefused_NamingTheExport(string webhooks, string eventRules, string field, string reason)
    {
        var error = Assert.Throws<InvalidFieldException>(() => NetBoxConfigConverter.Convert(JsonNode.Parse(webhooks), JsonNode.Parse(eventRules)));

        Assert.Equal(field, error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyItems_AreRefused()
    {
        var results = new JsonArray([.. Enumerable.Range(1, NetBoxConfigConverter.MaxItems + 1)
            .Select(i => (JsonNode)new JsonObject { ["id"] = i, ["name"] = $"hook {i}", ["payload_url"] = "https://a.example" })]);

        var error = Assert.Throws<InvalidFieldException>(() => NetBoxConfigConverter.Convert(new JsonObject { ["count"] = results.Count, ["results"] = results }, null));

        Assert.Equal("netbox_webhooks", error.Field);
        Assert.Contains("10001 items", error.Reason, StringComparison.Ordinal);
    }
}
