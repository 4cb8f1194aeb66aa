using System.Collections.Immutable;
using Webhooks.Errors;

namespace Webhooks.Rules;

/// <summary>Applies an update mask: the named fields (see <see cref="WebhookField"/>) of the changes replace the
/// current definition's.</summary>
internal static class WebhookFields
{
    public static WebhookDefinition Apply(WebhookDefinition current, WebhookDefinition changes, ImmutableArray<string> fields)
    {
        var merged = current;
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
