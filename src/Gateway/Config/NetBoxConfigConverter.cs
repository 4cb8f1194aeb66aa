using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Webhooks.Errors;

namespace Webhooks.Gateway.Config;

/// <summary>The converted configuration document, and what the conversion left out or changed.</summary>
internal sealed record NetBoxConversion(JsonObject Document, IReadOnlyList<string> Warnings);

/// <summary>
/// Converts NetBox's REST export (GET /api/extras/webhooks/ and GET /api/extras/event-rules/, NetBox 3.7 to 4.7) into
/// our configuration document: every NetBox webhook becomes an endpoint, every event rule whose action is a webhook
/// becomes a webhook delivering to it. Field names and shapes follow NetBox's WebhookSerializer and EventRuleSerializer
/// (extras/api/serializers_/events.py), its Webhook and EventRule models (extras/models/models.py), its event type
/// names (core/events.py) and migration 0120 for the older type_* booleans; no NetBox code is copied.
/// </summary>
internal static partial class NetBoxConfigConverter
{
    public const string WebhooksField = "netbox_webhooks";
    public const string EventRulesField = "netbox_event_rules";
    public const int MaxItems = 10_000;

    // Our endpoints allow at most five minutes; NetBox's model allows up to an hour.
    private const int MaxTimeoutSeconds = 300;

    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    // Job event names are the same on both sides; listed so that they never depend on the pass-through rule.
    private static readonly Dictionary<string, string> EventNames = new(StringComparer.Ordinal)
    {
        ["object_created"] = "created", ["object_updated"] = "updated", ["object_deleted"] = "deleted",
        ["job_started"] = "job_started", ["job_completed"] = "job_completed", ["job_failed"] = "job_failed",
        ["job_errored"] = "job_errored",
    };

    // NetBox 3.7/4.0 flags; NetBox's own migration (0120) turned type_job_end into all three job-termination events.
    private static readonly (string Flag, string[] Events)[] LegacyEventFlags =
    [
        ("type_create", ["object_created"]), ("type_update", ["object_updated"]), ("type_delete", ["object_deleted"]),
        ("type_job_start", ["job_started"]), ("type_job_end", ["job_completed", "job_errored", "job_failed"]),
    ];

    private sealed record NetBoxWebhook(
        long Id, string Name, string PayloadUrl, string HttpMethod, string ContentType, string Headers, string Body,
        string Secret, bool? SslVerification, string CaFilePath, long? Timeout, string Description);

    /// <summary>One JSON object of an export, with the path errors name it by.</summary>
    private readonly record struct Reader(JsonObject Node, string Field, string Path)
    {
        public JsonNode? this[string key] => Node[key];

        public Reader Child(JsonObject node, string key) => new(node, Field, $"{Path}.{key}");

        public InvalidFieldException Error(string key, string problem) => new(Field, $"{Path}.{key} {problem}");
    }

    public static NetBoxConversion Convert(JsonNode? webhooks, JsonNode? eventRules)
    {
        var warnings = new List<string>();
        var known = new SortedDictionary<long, NetBoxWebhook>();
        foreach (var item in Items(webhooks, WebhooksField, warnings))
        {
            var hook = ReadWebhook(item, Id(item));
            if (!known.TryAdd(hook.Id, hook))
            {
                throw item.Error("id", $"{hook.Id} appears more than once");
            }
        }

        var fromRules = new SortedDictionary<long, NetBoxWebhook>();
        var rules = new SortedDictionary<long, (long HookId, JsonObject Json)?>();
        foreach (var item in Items(eventRules, EventRulesField, warnings))
        {
            var id = Id(item);
            if (!rules.TryAdd(id, ReadRule(item, id, known, fromRules, warnings)))
            {
                throw item.Error("id", $"{id} appears more than once");
            }
        }

        var converted = rules.Values.OfType<(long HookId, JsonObject Json)>().ToList();
        var used = converted.Select(r => r.HookId).ToHashSet();
        foreach (var hook in known.Values.Where(h => !used.Contains(h.Id)))
        {
            warnings.Add($"NetBox webhook {hook.Id} \"{hook.Name}\" is used by no webhook event rule; its endpoint {EndpointId(hook.Id)} has no webhook");
        }

        var endpoints = known.Values.Concat(fromRules.Values).OrderBy(h => h.Id).Select(h => (JsonNode)Endpoint(h, warnings));
        var document = new JsonObject { ["endpoints"] = new JsonArray([.. endpoints]), ["webhooks"] = new JsonArray([.. converted.Select(r => (JsonNode)r.Json)]) };
        return new NetBoxConversion(document, warnings);
    }

    private static string EndpointId(long id) => $"netbox-webhook-{id}";

    private static List<Reader> Items(JsonNode? export, string field, List<string> warnings)
    {
        // Null stands for an export not given: a NetBox without event rules (or webhooks) converts all the same.
        var (items, prefix) = export switch
        {
            null => (new JsonArray(), ""),
            JsonArray array => (array, ""),
            JsonObject page when page["results"] is JsonArray results => (results, "results"),
            JsonObject => throw new InvalidFieldException(field, "results must be an array"),
            _ => throw new InvalidFieldException(field, "must be an array or a NetBox page {\"count\", \"next\", \"results\"}"),
        };
        if (items.Count > MaxItems)
        {
            throw new InvalidFieldException(field, $"{(prefix.Length > 0 ? prefix : "the export")} has {items.Count} items; at most {MaxItems} are accepted");
        }

        if (export is JsonObject paged)
        {
            if (paged["count"] is { } count && count.GetValueKind() != JsonValueKind.Number)
            {
                throw new InvalidFieldException(field, "count must be a number or null");
            }

            // NetBox pages its lists (50 items by default), and a rule may point at a webhook on a page not given.
            if (paged["next"] is { } next)
            {
                var url = StringOf(next) ?? throw new InvalidFieldException(field, "next must be a string or null");
                warnings.Add($"{field} is one page of {items.Count} items (next: {url}); follow next to export every page");
            }
        }

        return [.. items.Select((node, i) => node is JsonObject item
            ? new Reader(item, field, $"{prefix}[{i}]")
            : throw new InvalidFieldException(field, $"{prefix}[{i}] must be an object"))];
    }

    private static NetBoxWebhook ReadWebhook(Reader r, long id)
    {
        var method = OptionalString(r, "http_method", 30) ?? "POST";
        if (!HttpMethods.Contains(method, StringComparer.Ordinal))
        {
            throw r.Error("http_method", "must be GET, POST, PUT, PATCH or DELETE");
        }

        return new NetBoxWebhook(
            id, RequiredString(r, "name", 150), RequiredString(r, "payload_url", 500), method,
            OptionalString(r, "http_content_type", 100) ?? "application/json", OptionalString(r, "additional_headers") ?? "",
            OptionalString(r, "body_template") ?? "", OptionalString(r, "secret", 255) ?? "", OptionalBool(r, "ssl_verification"),
            OptionalString(r, "ca_file_path", 4096) ?? "",
            r["timeout"] is null ? null : (long?)Integer(r, "timeout", 1, 3600), OptionalString(r, "description", 200) ?? "");
    }

    private static (long HookId, JsonObject Json)? ReadRule(
        Reader r, long id, SortedDictionary<long, NetBoxWebhook> known, SortedDictionary<long, NetBoxWebhook> fromRules, List<string> warnings)
    {
        var name = RequiredString(r, "name", 150);
        var label = $"event rule {id} \"{name}\"";
        var enabled = OptionalBool(r, "enabled") ?? true;
        var description = OptionalString(r, "description", 200);
        var objectTypes = ObjectTypes(r);
        var eventTypes = EventTypes(r);

        // NetBox treats an empty condition set as none at all.
        var conditions = r["conditions"] switch
        {
            null => null,
            JsonObject { Count: 0 } => null,
            JsonObject set => set.DeepClone(),
            _ => throw r.Error("conditions", "must be an object or null"),
        };

        // NetBox's ChoiceField writes {"value", "label"}; a hand-made export may give the value alone.
        var actionType = r["action_type"] is JsonObject choice ? RequiredString(r.Child(choice, "action_type"), "value", 100) : RequiredString(r, "action_type", 100);
        long? objectId = r["action_object_id"] is null ? null : Integer(r, "action_object_id", 1, long.MaxValue);
        var nested = r["action_object"] switch
        {
            null => (Reader?)null,
            JsonObject o => r.Child(o, "action_object"),
            _ => throw r.Error("action_object", "must be an object or null"),
        };
        var objectType = OptionalString(r, "action_object_type", 200);
        var isWebhook = string.Equals(actionType, "webhook", StringComparison.Ordinal);
        var events = isWebhook ? MapEvents(eventTypes, label, warnings) : [];
        var skip = !isWebhook ? $"its action type is \"{actionType}\", not webhook"
            : objectType is not (null or "extras.webhook") ? $"its action object is a {objectType}, not an extras.webhook"
            : events.Count == 0 ? $"it has no {(eventTypes.Count == 0 ? "" : "usable ")}event types"
            : objectTypes.Count == 0 ? "it has no object types"
            : null;
        var hookId = skip is not null ? null : objectId ?? (nested is { } n && n["id"] is not null ? (long?)Id(n) : null);
        NetBoxWebhook? hook = null;
        if (skip is null && hookId is { } hid && !known.TryGetValue(hid, out hook) && !fromRules.TryGetValue(hid, out hook)
            && nested is { } full && full["payload_url"] is not null)
        {
            // Only a hand-made export nests the whole webhook: NetBox nests its brief form (id, url, display, name).
            hook = ReadWebhook(full, hid);
            fromRules.Add(hid, hook);
        }

        skip ??= hook is not null ? null : hookId is { } missing ? $"its webhook {missing} is not in the webhooks export" : "it names no webhook";
        if (skip is not null || hook is null)
        {
            warnings.Add($"{label} skipped: {skip}");
            return null;
        }

        var json = Fields(
            ("id", $"netbox-event-rule-{id}"), ("name", name), ("enabled", enabled),
            ("objectTypes", new JsonArray([.. objectTypes.Select(t => (JsonNode)t)])), ("events", new JsonArray([.. events.Select(e => (JsonNode)e)])),
            ("conditions", conditions), ("httpMethod", hook.HttpMethod), ("httpContentType", hook.ContentType),
            ("additionalHeaders", hook.Headers), ("bodyTemplate", hook.Body), ("endpointIds", new JsonArray((JsonNode)EndpointId(hook.Id))),
            ("description", description), ("templateLanguage", "JINJA2"), ("payloadFormat", "NETBOX"));
        return (hook.Id, json);
    }

    private static JsonObject Endpoint(NetBoxWebhook hook, List<string> warnings)
    {
        var id = EndpointId(hook.Id);
        if (hook.CaFilePath.Length > 0)
        {
            // NetBox names a file on its own host; ours must name one in the silo's certificate directory.
            warnings.Add($"endpoint {id}: copy CA file \"{hook.CaFilePath}\" into the silo's Delivery:CertificateDirectory and name it there");
        }

        if (hook.Timeout > MaxTimeoutSeconds)
        {
            warnings.Add($"endpoint {id}: timeout {hook.Timeout}s lowered to our maximum of {MaxTimeoutSeconds}s");
        }

        return Fields(
            ("id", id), ("name", hook.Name), ("url", hook.PayloadUrl), ("secret", hook.Secret), ("sslVerification", hook.SslVerification),
            ("caFilePath", hook.CaFilePath), ("timeout", hook.Timeout is { } s ? $"{Math.Min(s, MaxTimeoutSeconds)}s" : null),
            ("description", hook.Description), ("templateLanguage", "JINJA2"));
    }

    /// <summary>A JSON object of the given fields, leaving out nulls and empty strings as proto3 JSON does.</summary>
    private static JsonObject Fields(params (string Key, JsonNode? Value)[] fields) =>
        new(fields.Where(f => f.Value is not null && StringOf(f.Value) is not "").Select(f => KeyValuePair.Create(f.Key, f.Value)));

    private static List<string> ObjectTypes(Reader r)
    {
        // NetBox 3.7 called the field content_types; 4.0 renamed it object_types.
        var key = r["object_types"] is null && r["content_types"] is not null ? "content_types" : "object_types";
        return [.. ArrayOf(r, key, (node, at) =>
        {
            var type = node is JsonObject o
                ? $"{RequiredString(r.Child(o, at), "app_label", 100)}.{RequiredString(r.Child(o, at), "model", 100)}"
                : StringAt(r, at, node, int.MaxValue) ?? throw r.Error(at, "must be a string");
            return ObjectTypePattern().IsMatch(type) ? type : throw r.Error(at, "must be \"app_label.model\"");
        }).Distinct(StringComparer.Ordinal)];
    }

    // NetBox's event_types column holds at most 50 characters per name.
    private static List<string> EventTypes(Reader r) => r["event_types"] is null
        ? [.. LegacyEventFlags.Where(f => OptionalBool(r, f.Flag) == true).SelectMany(f => f.Events)]
        : ArrayOf(r, "event_types", (node, at) => StringAt(r, at, node, 50) ?? throw r.Error(at, "must be a string"));

    private static List<string> MapEvents(List<string> eventTypes, string label, List<string> warnings)
    {
        var mapped = eventTypes.Select(t => (NetBox: t, Ours: EventNames.GetValueOrDefault(t) ?? t.ToLowerInvariant())).ToList();
        foreach (var (netBox, _) in mapped.Where(m => !EventNamePattern().IsMatch(m.Ours)))
        {
            warnings.Add($"{label}: event type \"{netBox}\" dropped, it is not a valid event name");
        }

        return [.. mapped.Select(m => m.Ours).Where(e => EventNamePattern().IsMatch(e)).Distinct(StringComparer.Ordinal)];
    }

    private static List<string> ArrayOf(Reader r, string key, Func<JsonNode?, string, string> item) =>
        r[key] is JsonArray list ? [.. list.Select((node, i) => item(node, $"{key}[{i}]"))] : throw r.Error(key, "must be an array");

    private static long Id(Reader r) => r["id"] is null ? throw r.Error("id", "is required") : Integer(r, "id", 1, long.MaxValue);

    private static long Integer(Reader r, string key, long min, long max) =>
        r[key] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number ? throw r.Error(key, "must be a number")
        : long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
        : throw r.Error(key, $"must be an integer from {min} to {max}");

    private static string RequiredString(Reader r, string key, int maxLength) =>
        OptionalString(r, key, maxLength) is { Length: > 0 } s ? s : throw r.Error(key, "must be a non-empty string");

    private static string? OptionalString(Reader r, string key, int maxLength = int.MaxValue) => StringAt(r, key, r[key], maxLength);

    private static string? StringAt(Reader r, string at, JsonNode? node, int maxLength) =>
        node is null ? null
        : StringOf(node) is not { } s ? throw r.Error(at, "must be a string")
        : s.Length <= maxLength ? s : throw r.Error(at, $"must be at most {maxLength} characters");

    private static bool? OptionalBool(Reader r, string key) => r[key]?.GetValueKind() switch
    {
        null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw r.Error(key, "must be true or false"),
    };

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EventNamePattern();

    [GeneratedRegex("^[a-z0-9_]{1,100}\\.[a-z0-9_]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectTypePattern();
}
