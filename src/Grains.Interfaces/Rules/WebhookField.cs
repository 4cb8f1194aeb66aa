namespace Webhooks.Rules;

/// <summary>Updatable fields of a webhook, named as in the API's field masks.</summary>
public static class WebhookField
{
    public const string Name = "name";
    public const string Enabled = "enabled";
    public const string ObjectTypes = "object_types";
    public const string Events = "events";
    public const string Condition = "condition";
    public const string HttpMethod = "http_method";
    public const string HttpContentType = "http_content_type";
    public const string AdditionalHeaders = "additional_headers";
    public const string BodyTemplate = "body_template";
    public const string EndpointIds = "endpoint_ids";
    public const string Description = "description";
    public const string Conditions = "conditions";
    public const string PayloadFormat = "payload_format";
    public const string TemplateLanguage = "template_language";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Name, Enabled, ObjectTypes, Events, Condition, HttpMethod, HttpContentType, AdditionalHeaders,
        BodyTemplate, EndpointIds, Description, Conditions, PayloadFormat, TemplateLanguage,
    };
}
