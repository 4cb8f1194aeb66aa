using System.Diagnostics;
using Webhooks.Deliveries;
using Webhooks.Events;

namespace Webhooks.Diagnostics;

/// <summary>The service's spans (activity source "Webhooks"): the gateway's publish, each webhook's evaluation of an
/// event and each attempt, one trace per published event. The event and its deliveries carry the trace context
/// through the streams and the database, where Activity.Current cannot follow.</summary>
public static class WebhooksTracing
{
    public const string SourceName = "Webhooks";

    /// <summary>The header that carries a trace context (W3C Trace Context).</summary>
    public const string TraceParentHeader = "traceparent";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>A webhook evaluating an event, continuing the event's publish; null when nobody listens.</summary>
    public static Activity? StartEvaluation(ObjectEvent item, string webhookId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("webhooks.evaluate", ActivityKind.Internal, Parent(item.TraceParent));
        activity?.SetTag("webhooks.webhook_id", webhookId)
            .SetTag("webhooks.event_id", item.EventId)
            .SetTag("webhooks.object_type", item.ObjectType)
            .SetTag("webhooks.event", item.Event);
        return activity;
    }

    /// <summary>One attempt of a delivery, continuing the evaluation that made it; null when nobody listens.</summary>
    public static Activity? StartAttempt(DeliveryRecord delivery, int attempt)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("webhooks.attempt", ActivityKind.Client, Parent(delivery.TraceParent));
        activity?.SetTag("webhooks.endpoint_id", delivery.EndpointId)
            .SetTag("webhooks.delivery_id", delivery.Id)
            .SetTag("webhooks.event_id", delivery.EventId)
            .SetTag("webhooks.attempt", attempt)
            .SetTag("http.request.method", delivery.HttpMethod);
        return activity;
    }

    /// <summary>Records an attempt's outcome on its span.</summary>
    public static void Ended(Activity? activity, DeliveryAttempt outcome)
    {
        if (activity is null)
        {
            return;
        }

        if (outcome.StatusCode != 0)
        {
            activity.SetTag("http.response.status_code", outcome.StatusCode);
        }

        if (outcome.StatusCode is < 200 or >= 300)
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome.Error.Length > 0 ? outcome.Error : $"HTTP {outcome.StatusCode}");
        }
    }

    private static ActivityContext Parent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent) ? parent : default;
}
