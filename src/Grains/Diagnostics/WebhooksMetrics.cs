using System.Diagnostics.Metrics;

namespace Webhooks.Diagnostics;

/// <summary>The service's own instruments (meter "Webhooks"), alongside Orleans' "Microsoft.Orleans".</summary>
public sealed class WebhooksMetrics
{
    public const string MeterName = "Webhooks";

    public WebhooksMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Attempts = meter.CreateCounter<long>("webhooks.delivery.attempts", description: "HTTP attempts made");
        Delivered = meter.CreateCounter<long>("webhooks.delivery.succeeded", description: "Deliveries that got a 2xx");
        Failed = meter.CreateCounter<long>("webhooks.delivery.failed", description: "Deliveries given up after the last attempt");
        AttemptDuration = meter.CreateHistogram<double>("webhooks.delivery.attempt.duration", unit: "s", description: "Duration of HTTP attempts");
        ConditionErrors = meter.CreateCounter<long>("webhooks.condition.errors", description: "Conditions that threw or hit a sandbox limit");
    }

    public Counter<long> Attempts { get; }

    public Counter<long> Delivered { get; }

    public Counter<long> Failed { get; }

    public Histogram<double> AttemptDuration { get; }

    public Counter<long> ConditionErrors { get; }
}
