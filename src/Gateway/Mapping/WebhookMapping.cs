using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Errors;
using Webhooks.Webhooks;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class WebhookMapping
{
    public static WebhookDefinition ToDefinition(Proto.Webhook w) => new()
    {
        Name = w.Name,
        Enabled = !w.HasEnabled || w.Enabled,
        ObjectTypes = [.. w.ObjectTypes],
        Events = [.. w.Events],
        Condition = w.Condition,
        HttpMethod = w.HttpMethod,
        HttpContentType = w.HttpContentType,
        AdditionalHeaders = w.AdditionalHeaders,
        BodyTemplate = w.BodyTemplate,
        EndpointIds = [.. w.EndpointIds],
        Description = w.Description,
    };

    /// <summary>The fields an update replaces: the mask's paths, or with no mask every field set in the request.</summary>
    public static ImmutableArray<string> Fields(Proto.Webhook w, FieldMask? mask)
    {
        if (mask is { Paths.Count: > 0 })
        {
            foreach (var path in mask.Paths)
            {
                if (!WebhookField.All.Contains(path))
                {
                    throw new InvalidFieldException("update_mask", $"'{path}' is not an updatable webhook field");
                }
            }

            return [.. mask.Paths.Distinct(StringComparer.Ordinal)];
        }

        var fields = ImmutableArray.CreateBuilder<string>();
        Add(w.Name.Length > 0, WebhookField.Name);
        Add(w.HasEnabled, WebhookField.Enabled);
        Add(w.ObjectTypes.Count > 0, WebhookField.ObjectTypes);
        Add(w.Events.Count > 0, WebhookField.Events);
        Add(w.Condition.Length > 0, WebhookField.Condition);
        Add(w.HttpMethod.Length > 0, WebhookField.HttpMethod);
        Add(w.HttpContentType.Length > 0, WebhookField.HttpContentType);
        Add(w.AdditionalHeaders.Length > 0, WebhookField.AdditionalHeaders);
        Add(w.BodyTemplate.Length > 0, WebhookField.BodyTemplate);
        Add(w.EndpointIds.Count > 0, WebhookField.EndpointIds);
        Add(w.Description.Length > 0, WebhookField.Description);
        return fields.ToImmutable();

        void Add(bool set, string field)
        {
            if (set)
            {
                fields.Add(field);
            }
        }
    }

    public static Proto.Webhook ToProto(WebhookInfo info)
    {
        var d = info.Definition;
        var result = new Proto.Webhook
        {
            Id = info.Id,
            Name = d.Name,
            Enabled = d.Enabled,
            Condition = d.Condition,
            HttpMethod = d.HttpMethod,
            HttpContentType = d.HttpContentType,
            AdditionalHeaders = d.AdditionalHeaders,
            BodyTemplate = d.BodyTemplate,
            Description = d.Description,
            CreateTime = ProtoTime.ToProto(info.CreatedAt),
            UpdateTime = ProtoTime.ToProto(info.UpdatedAt),
            Status = new Proto.WebhookStatus
            {
                EventsMatched = info.Stats.EventsMatched,
                DeliveriesCreated = info.Stats.DeliveriesCreated,
                ConditionErrors = info.Stats.ConditionErrors,
                TemplateErrors = info.Stats.TemplateErrors,
                LastError = info.Stats.LastError,
                LastErrorTime = ProtoTime.ToProto(info.Stats.LastErrorAt),
            },
        };
        result.ObjectTypes.AddRange(d.ObjectTypes);
        result.Events.AddRange(d.Events);
        result.EndpointIds.AddRange(d.EndpointIds);
        return result;
    }
}
