using System.Collections.Immutable;
using System.Text.Json;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Resources;
using Webhooks.Rules;

namespace Webhooks.Config;

/// <summary>What importing a document means against what is stored: every resource checked (normalized as create or
/// update would, ids and endpoint references resolved) before anything is applied, and for each one whether it is
/// created, updated (which fields), deleted (with prune) or left as it is. Nothing here touches a grain.</summary>
internal sealed class ConfigImportPlan
{
    public const string EndpointKind = "endpoint";
    public const string WebhookKind = "webhook";

    /// <summary>Per kind, per document: an import is one grain call, applied one resource at a time.</summary>
    public const int MaxEntries = 2_000;

    private ConfigImportPlan()
    {
    }

    public List<Step<EndpointDefinition>> Endpoints { get; } = [];

    public List<Step<WebhookDefinition>> Webhooks { get; } = [];

    /// <summary>Deleted (with prune): webhooks first, so that the endpoints after them are no longer in use.</summary>
    public List<string> DeletedWebhooks { get; } = [];

    public List<string> DeletedEndpoints { get; } = [];

    /// <summary>One resource to create or update; <see cref="Definition"/> is what to send (for a create, the
    /// document's own, so that a generated secret is generated once, when it is stored).</summary>
    public sealed record Step<T>(string Id, ConfigAction Action, T Definition, ImmutableArray<string> Fields);

    public ImmutableArray<ConfigChange> Changes() =>
    [
        .. Endpoints.Select(s => Change(EndpointKind, s.Id, s.Action, s.Fields)),
        .. Webhooks.Select(s => Change(WebhookKind, s.Id, s.Action, s.Fields)),
        .. DeletedWebhooks.Select(id => Change(WebhookKind, id, ConfigAction.Delete, [])),
        .. DeletedEndpoints.Select(id => Change(EndpointKind, id, ConfigAction.Delete, [])),
    ];

    private static ConfigChange Change(string kind, string id, ConfigAction action, ImmutableArray<string> fields) =>
        new() { Kind = kind, Id = id, Action = action, Fields = fields };

    /// <param name="storedEndpoints">Every stored endpoint, secrets and header values included.</param>
    public static ConfigImportPlan Build(
        ConfigDocument document,
        IReadOnlyDictionary<string, EndpointDefinition> storedEndpoints,
        IReadOnlyDictionary<string, WebhookDefinition> storedWebhooks,
        bool prune,
        Func<EndpointDefinition, EndpointDefinition> normalizeEndpoint,
        Func<WebhookDefinition, WebhookDefinition> normalizeWebhook)
    {
        if (document.Endpoints.Length > MaxEntries || document.Webhooks.Length > MaxEntries)
        {
            throw new InvalidFieldException("document", $"at most {MaxEntries} endpoints and {MaxEntries} webhooks per import (split larger ones)");
        }

        var plan = new ConfigImportPlan();
        var endpointIds = Ids(document.Endpoints.Select(e => e.Id), "endpoints");
        var webhookIds = Ids(document.Webhooks.Select(w => w.Id), "webhooks");

        for (var i = 0; i < document.Endpoints.Length; i++)
        {
            var entry = document.Endpoints[i];
            plan.Endpoints.Add(FieldPaths.Within($"document.endpoints[{i}]", "endpoint.", () => PlanEndpoint(entry, storedEndpoints.GetValueOrDefault(entry.Id), normalizeEndpoint)));
        }

        // Without prune an endpoint stored but not in the document stays, and webhooks may still name it.
        var reachable = prune ? endpointIds : [.. endpointIds, .. storedEndpoints.Keys];
        for (var i = 0; i < document.Webhooks.Length; i++)
        {
            var entry = document.Webhooks[i];
            var field = $"document.webhooks[{i}]";
            var missing = entry.Definition.EndpointIds.FirstOrDefault(id => !reachable.Contains(id));
            if (missing is not null)
            {
                throw new InvalidFieldException($"{field}.endpoint_ids", $"endpoint '{missing}' is neither in the document nor stored{(prune ? " (prune deletes what the document does not name)" : "")}");
            }

            plan.Webhooks.Add(FieldPaths.Within(field, "webhook.", () => PlanWebhook(entry, storedWebhooks.GetValueOrDefault(entry.Id), normalizeWebhook)));
        }

        if (prune)
        {
            plan.DeletedWebhooks.AddRange(storedWebhooks.Keys.Where(id => !webhookIds.Contains(id)).Order(StringComparer.Ordinal));
            plan.DeletedEndpoints.AddRange(storedEndpoints.Keys.Where(id => !endpointIds.Contains(id)).Order(StringComparer.Ordinal));
        }

        return plan;
    }

    private static HashSet<string> Ids(IEnumerable<string> ids, string list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var id in ids)
        {
            ResourceIds.Validate(id, $"document.{list}[{index}].id");
            if (!seen.Add(id))
            {
                throw new InvalidFieldException($"document.{list}[{index}].id", $"'{id}' appears more than once");
            }

            index++;
        }

        return seen;
    }

    private static Step<EndpointDefinition> PlanEndpoint(ConfigEndpoint entry, EndpointDefinition? stored, Func<EndpointDefinition, EndpointDefinition> normalize)
    {
        if (stored is null)
        {
            // "***" keeps a stored value; a new endpoint has none, which Unmask says naming the header.
            var created = entry.Definition with { Headers = EndpointSecrets.Unmask(entry.Definition.Headers, []) };
            normalize(created);
            return new(entry.Id, ConfigAction.Create, created, []);
        }

        // A document exported without secrets keeps the stored secret, rotation and header values.
        var incoming = entry.Definition with
        {
            Headers = EndpointSecrets.Unmask(entry.Definition.Headers, stored.Headers),
            Secret = entry.Definition.Secret ?? stored.Secret,
            PreviousSecret = stored.PreviousSecret,
            PreviousSecretUntil = stored.PreviousSecretUntil,
        };
        var normalized = normalize(incoming);
        var current = EndpointFields.Apply(stored, stored, []);
        var fields = EndpointField.All
            .Where(f => f != EndpointField.Secret && !Same(EndpointFields.Apply(current, normalized, [f]), current))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (entry.Definition.Secret is { } secret && secret != stored.Secret)
        {
            fields.Add(EndpointField.Secret);
        }

        return fields.Count == 0
            ? new(entry.Id, ConfigAction.Unchanged, normalized, [])
            : new(entry.Id, ConfigAction.Update, normalized, [.. fields]);
    }

    private static Step<WebhookDefinition> PlanWebhook(ConfigWebhook entry, WebhookDefinition? stored, Func<WebhookDefinition, WebhookDefinition> normalize)
    {
        var normalized = normalize(entry.Definition);
        if (stored is null)
        {
            return new(entry.Id, ConfigAction.Create, entry.Definition, []);
        }

        var current = WebhookFields.Apply(stored, stored, []);
        var fields = WebhookField.All
            .Where(f => !Same(WebhookFields.Apply(current, normalized, [f]), current))
            .Order(StringComparer.Ordinal)
            .ToImmutableArray();
        return fields.IsEmpty
            ? new(entry.Id, ConfigAction.Unchanged, normalized, [])
            : new(entry.Id, ConfigAction.Update, normalized, fields);
    }

    /// <summary>Definitions hold immutable arrays, which records compare by reference: compare what they hold.</summary>
    private static bool Same<T>(T left, T right) =>
        JsonSerializer.Serialize(left) == JsonSerializer.Serialize(right);
}
