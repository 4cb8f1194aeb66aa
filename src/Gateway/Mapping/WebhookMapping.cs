using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Errors;
using Webhooks.Rules;
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
        Conditions = w.Conditions is { } conditions ? StructJson.Format(conditions) : "",
        PayloadFormat = w.PayloadFormat switch
        {
            Proto.Webhook.Types.PayloadFormat.Unspecified or Proto.Webhook.Types.PayloadFormat.Netbox => PayloadFormat.NetBox,
            Proto.Webhook.Types.PayloadFormat.Datagerry => PayloadFormat.Datagerry,
            _ => throw new InvalidFieldException("webhook.payload_format", $"unknown format {(int)w.PayloadFormat}"),
        },
        TemplateLanguage = TemplateLanguageMapping.ToDomain(w.TemplateLanguage, "webhook.template_language"),
    };

    /// <summary>The fields an update replaces: the mask's paths, or with no mask every field set in the request.</summary>
    public static ImmutableArray<string> Fields(Proto.Webhook w, FieldMask? mask) =>
        FieldMasks.Resolve(mask, WebhookField.All, "webhook",
            (w.Name.Length > 0, WebhookField.Name),
            (w.HasEnabled, WebhookField.Enabled),
            (w.ObjectTypes.Count > 0, WebhookField.ObjectTypes),
            (w.Events.Count > 0, WebhookField.Events),
            (w.Condition.Length > 0, WebhookField.Condition),
            (w.HttpMethod.Length > 0, WebhookField.HttpMethod),
            (w.HttpContentType.Length > 0, WebhookField.HttpContentType),
            (w.AdditionalHeaders.Length > 0, WebhookField.AdditionalHeaders),
            (w.BodyTemplate.Length > 0, WebhookField.BodyTemplate),
            (w.EndpointIds.Count > 0, WebhookField.EndpointIds),
            (w.Description.Length > 0, WebhookField.Description),
            (w.Conditions is not null, WebhookField.Conditions),
            (w.PayloadFormat != Proto.Webhook.Types.PayloadFormat.Unspecified, WebhookField.PayloadFormat),
            (w.TemplateLanguage != Proto.TemplateLanguage.Unspecified, WebhookField.TemplateLanguage));

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
            Conditions = d.Conditions.Length > 0 ? Struct.Parser.ParseJson(d.Conditions) : null,
            PayloadFormat = d.PayloadFormat == PayloadFormat.Datagerry ? Proto.Webhook.Types.PayloadFormat.Datagerry : Proto.Webhook.Types.PayloadFormat.Netbox,
            TemplateLanguage = TemplateLanguageMapping.ToProto(d.TemplateLanguage),
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
                EventsDeadLettered = info.Stats.EventsDeadLettered,
                EventsFilteredByEvent = info.Stats.EventsFilteredByEvent,
                EventsFilteredByCondition = info.Stats.EventsFilteredByCondition,
                DeadLetters = info.DeadLetters,
            },
        };
        result.ObjectTypes.AddRange(d.ObjectTypes);
        result.Events.AddRange(d.Events);
        result.EndpointIds.AddRange(d.EndpointIds);
        return result;
    }
}
