using Webhooks.Deliveries;

namespace Webhooks.Rules;

/// <summary>What a webhook made of one event it covers.</summary>
internal readonly record struct PreparedEvent(PreparedOutcome Outcome, PendingDelivery Delivery, string Error)
{
    public static PreparedEvent NotMatched => new(PreparedOutcome.NotMatched, default, "");

    public static PreparedEvent ConditionFailed(string error) => new(PreparedOutcome.ConditionFailed, default, error);

    public static PreparedEvent TemplateFailed(string error) => new(PreparedOutcome.TemplateFailed, default, error);

    public static PreparedEvent Ready(PendingDelivery delivery) => new(PreparedOutcome.Ready, delivery, "");
}

internal enum PreparedOutcome
{
    /// <summary>The condition said no.</summary>
    NotMatched,
    /// <summary>The condition threw or hit a sandbox limit.</summary>
    ConditionFailed,
    /// <summary>Matched, but a template failed to render.</summary>
    TemplateFailed,
    /// <summary>Matched and rendered: one delivery per endpoint follows.</summary>
    Ready,
}

/// <summary>A rendered request on its way to the webhook's endpoints, with the event context that an endpoint's URL
/// template renders against, and whether the body came from the webhook's template (Slack and Zapier endpoints shape
/// a default body their own way).</summary>
internal readonly record struct PendingDelivery(DeliveryRequest Request, EventContext Context, bool Templated = false);
