using Webhooks.Config;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Rules;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class ConfigMapping
{
    public static Proto.ConfigDocument ToProto(ConfigDocument document, bool includeSecrets)
    {
        var result = new Proto.ConfigDocument();
        foreach (var entry in document.Endpoints)
        {
            // A document describes definitions: what the service keeps about them (times, users, fingerprints) is not part of it.
            var endpoint = EndpointMapping.ToProto(new EndpointInfo { Id = entry.Id, Definition = entry.Definition });
            endpoint.PreviousSecretExpireTime = null;
            endpoint.CreateTime = null;
            endpoint.UpdateTime = null;
            endpoint.Secret = includeSecrets ? entry.Definition.Secret ?? "" : "";
            result.Endpoints.Add(endpoint);
        }

        foreach (var entry in document.Webhooks)
        {
            var webhook = WebhookMapping.ToProto(new WebhookInfo { Id = entry.Id, Definition = entry.Definition });
            webhook.Status = null;
            webhook.CreateTime = null;
            webhook.UpdateTime = null;
            result.Webhooks.Add(webhook);
        }

        return result;
    }

    public static ConfigDocument ToDomain(Proto.ConfigDocument document) => new()
    {
        Endpoints = [.. document.Endpoints.Select((e, i) => new ConfigEndpoint
        {
            Id = e.Id,
            Definition = FieldPaths.Within($"document.endpoints[{i}]", "endpoint.", () => EndpointMapping.ToDefinition(e)),
        })],
        Webhooks = [.. document.Webhooks.Select((w, i) => new ConfigWebhook
        {
            Id = w.Id,
            Definition = FieldPaths.Within($"document.webhooks[{i}]", "webhook.", () => WebhookMapping.ToDefinition(w)),
        })],
    };

    public static Proto.ImportChange ToProto(ConfigChange change)
    {
        var result = new Proto.ImportChange
        {
            Kind = change.Kind,
            Id = change.Id,
            Action = change.Action switch
            {
                ConfigAction.Create => Proto.ImportChange.Types.Action.Create,
                ConfigAction.Update => Proto.ImportChange.Types.Action.Update,
                ConfigAction.Delete => Proto.ImportChange.Types.Action.Delete,
                _ => Proto.ImportChange.Types.Action.Unchanged,
            },
            GeneratedSecret = change.GeneratedSecret ?? "",
        };
        result.Fields.AddRange(change.Fields);
        return result;
    }
}
