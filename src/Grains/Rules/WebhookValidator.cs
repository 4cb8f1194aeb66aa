using System.Collections.Immutable;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Webhooks.Conditions;
using Webhooks.Conditions.NetBox;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Resources;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>Normalizes a webhook definition and rejects anything that could not work, naming the field.</summary>
public static partial class WebhookValidator
{
    public const int MaxNameLength = 150;
    public const int MaxDescriptionLength = 1000;
    public static readonly ImmutableHashSet<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public static WebhookDefinition Normalize(WebhookDefinition d, TemplateCompiler templates, ConditionOptions conditions)
    {
        var name = d.Name.Trim();
        if (name.Length == 0)
        {
            throw new InvalidFieldException("webhook.name", "is required");
        }

        if (name.Length > MaxNameLength)
        {
            throw new InvalidFieldException("webhook.name", $"must be at most {MaxNameLength} characters");
        }

        if (d.Description.Trim().Length > MaxDescriptionLength)
        {
            throw new InvalidFieldException("webhook.description", $"must be at most {MaxDescriptionLength} characters");
        }

        if (d.ObjectTypes.IsDefaultOrEmpty)
        {
            throw new InvalidFieldException("webhook.object_types", "at least one object type is required (\"*\" for all)");
        }

        var objectTypes = d.ObjectTypes.Select(t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToImmutableArray();
        foreach (var type in objectTypes)
        {
            if (type != "*" && !ObjectTypePattern().IsMatch(type))
            {
                throw new InvalidFieldException("webhook.object_types", $"'{type}' is not an object type (app_label.model), a prefix (\"dcim.*\") or \"*\"");
            }
        }

        if (d.Events.IsDefaultOrEmpty)
        {
            throw new InvalidFieldException("webhook.events", "at least one event is required (\"*\" for all)");
        }

        var events = d.Events.Select(e => e.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToImmutableArray();
        foreach (var e in events)
        {
            if (e != "*" && !EventNames.IsValid(e))
            {
                throw new InvalidFieldException("webhook.events", $"'{e}' is not an event name ({EventNames.Rule})");
            }
        }

        if (d.Condition.Trim().Length > 0)
        {
            ConditionSource.Wrap(d.Condition, "webhook.condition", conditions.MaxLength);
        }

        if (!Enum.IsDefined(d.PayloadFormat))
        {
            throw new InvalidFieldException("webhook.payload_format", $"unknown format {(int)d.PayloadFormat}");
        }

        if (d.Conditions.Length > 0)
        {
            if (d.Condition.Trim().Length > 0)
            {
                throw new InvalidFieldException("webhook.conditions", "set either condition (JavaScript) or conditions (a NetBox condition set), not both");
            }

            if (d.Conditions.Length > conditions.MaxLength)
            {
                throw new InvalidFieldException("webhook.conditions", $"is {d.Conditions.Length} characters of JSON; at most {conditions.MaxLength}");
            }

            NetBoxConditionSet.Parse(d.Conditions, conditions.Timeout);
        }

        var method = string.IsNullOrWhiteSpace(d.HttpMethod) ? WebhookDefinition.DefaultHttpMethod : d.HttpMethod.Trim().ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            throw new InvalidFieldException("webhook.http_method", $"'{d.HttpMethod}' is not one of {string.Join(", ", Methods.Order(StringComparer.Ordinal))}");
        }

        var contentType = string.IsNullOrWhiteSpace(d.HttpContentType) ? WebhookDefinition.DefaultContentType : d.HttpContentType.Trim();
        if (contentType.Length > 100 || !MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            throw new InvalidFieldException("webhook.http_content_type", $"'{contentType}' is not a media type such as application/json");
        }

        if (!Enum.IsDefined(d.TemplateLanguage))
        {
            throw new InvalidFieldException("webhook.template_language", $"unknown language {(int)d.TemplateLanguage}");
        }

        var language = TemplateLanguages.ForNew(d.TemplateLanguage);
        HeaderTemplate.Compile(d.AdditionalHeaders, templates, language);
        templates.Compile(d.BodyTemplate, "webhook.body_template", language);

        if (d.EndpointIds.IsDefaultOrEmpty && d.Enabled)
        {
            throw new InvalidFieldException("webhook.endpoint_ids", "at least one endpoint id is required while the webhook is enabled");
        }

        var endpointIds = d.EndpointIds.IsDefault ? [] : d.EndpointIds.Select(id => id.Trim()).Distinct(StringComparer.Ordinal).ToImmutableArray();
        foreach (var id in endpointIds)
        {
            if (!ResourceIds.IsValid(id))
            {
                throw new InvalidFieldException("webhook.endpoint_ids", $"'{id}' is not a valid endpoint id");
            }
        }

        return d with
        {
            Name = name,
            ObjectTypes = objectTypes,
            Events = events,
            HttpMethod = method,
            HttpContentType = contentType,
            EndpointIds = endpointIds,
            Description = d.Description.Trim(),
            TemplateLanguage = language,
        };
    }

    [GeneratedRegex(@"^[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectTypePattern();
}
