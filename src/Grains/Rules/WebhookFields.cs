using System.Collections.Immutable;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>Applies an update mask: the named fields (see <see cref="WebhookField"/>) of the changes replace the
/// current definition's.</summary>
internal static class WebhookFields
{
    public static WebhookDefinition Apply(WebhookDefinition current, WebhookDefinition changes, ImmutableArray<string> fields)
    {
        // Stored before languages existed, its templates are Liquid: that stays so unless the update changes it.
        var merged = current with { TemplateLanguage = TemplateLanguages.ForStored(current.TemplateLanguage) };
        foreach (var field in fields)
        {
            merged = field switch
            {
                WebhookField.Name => merged with { Name = changes.Name },
                WebhookField.Enabled => merged with { Enabled = changes.Enabled },
                WebhookField.ObjectTypes => merged with { ObjectTypes = changes.ObjectTypes },
                WebhookField.Events => merged with { Events = changes.Events },
                WebhookField.Condition => merged with { Condition = changes.Condition },
                WebhookField.Conditions => merged with { Conditions = changes.Conditions },
                WebhookField.PayloadFormat => merged with { PayloadFormat = changes.PayloadFormat },
                WebhookField.TemplateLanguage => merged with { TemplateLanguage = changes.TemplateLanguage },
                WebhookField.HttpMethod => merged with { HttpMethod = changes.HttpMethod },
                WebhookField.HttpContentType => merged with { HttpContentType = changes.HttpContentType },
                WebhookField.AdditionalHeaders => merged with { AdditionalHeaders = changes.AdditionalHeaders },
                WebhookField.BodyTemplate => merged with { BodyTemplate = changes.BodyTemplate },
                WebhookField.EndpointIds => merged with { EndpointIds = changes.EndpointIds },
                WebhookField.Description => merged with { Description = changes.Description },
                _ => throw new InvalidFieldException("update_mask", $"'{field}' is not an updatable webhook field"),
            };
        }

        return merged;
    }
}
