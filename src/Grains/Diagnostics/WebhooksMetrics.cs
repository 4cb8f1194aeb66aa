using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.Endpoints.Sending;
using Webhooks.Hosting;

namespace Webhooks.Diagnostics;

/// <summary>The service's own instruments (meter "Webhooks"), exported beside Orleans' "Microsoft.Orleans" and
/// ASP.NET Core's. Names use dots; the Prometheus exporter turns them into underscores.</summary>
public sealed class WebhooksMetrics
{
    public const string MeterName = "Webhooks";

    // Seconds, from a fast local receiver to a delivery that waited out retries for hours.
    private static readonly IReadOnlyList<double> Seconds =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 18000, 86400];

    private readonly Counter<long> _published;
    private readonly Counter<long> _created;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _conditionErrors;
    private readonly Histogram<double> _attemptDuration;
    private readonly Histogram<double> _latency;
    private readonly bool _objectTypeTag;

    public WebhooksMetrics(IMeterFactory meters, IOptions<TelemetryOptions> options, SiloDeliveryLoad load)
    {
        _objectTypeTag = options.Value.ObjectTypeTag;
        var meter = meters.Create(MeterName);
        _published = meter.CreateCounter<long>("webhooks.events.published", "{event}", "Events accepted from publishers");
        _created = meter.CreateCounter<long>("webhooks.deliveries.created", "{delivery}", "Deliveries created: one per matching event and endpoint");
        _attempts = meter.CreateCounter<long>("webhooks.attempts", "{attempt}", "HTTP attempts, by outcome: success, failure, throttled, timeout");
        _succeeded = meter.CreateCounter<long>("webhooks.deliveries.succeeded", "{delivery}", "Deliveries that got a 2xx");
        _failed = meter.CreateCounter<long>("webhooks.deliveries.failed", "{delivery}", "Deliveries given up");
        _conditionErrors = meter.CreateCounter<long>("webhooks.condition.errors", "{event}", "Conditions that threw or hit a sandbox limit");
        _attemptDuration = meter.CreateHistogram("webhooks.attempt.duration", "s", "Duration of HTTP attempts",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        _latency = meter.CreateHistogram("webhooks.delivery.latency", "s", "From the event's acceptance to its delivery's success",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        meter.CreateObservableGauge("webhooks.deliveries.queued", () => load.Queued, "{delivery}", "Deliveries waiting to be sent by this silo's endpoints");
        meter.CreateObservableGauge("webhooks.deliveries.in_flight", () => load.InFlight, "{delivery}", "Deliveries on the wire from this silo's endpoints");
    }

    public void Published(string objectType, int events)
    {
        if (_objectTypeTag)
        {
            _published.Add(events, new KeyValuePair<string, object?>("object_type", objectType));
        }
        else
        {
            _published.Add(events);
        }
    }

    public void Created(int deliveries) => _created.Add(deliveries);

    public void ConditionFailed() => _conditionErrors.Add(1);

    public void Attempted(DeliveryAttempt attempt)
    {
        var outcome = RetryDecision.IsSuccess(attempt) ? "success"
            : attempt.TimedOut ? "timeout"
            : RetryDecision.IsThrottled(attempt) ? "throttled"
            : "failure";
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _attemptDuration.Record(attempt.Duration.TotalSeconds);
    }

    /// <param name="acceptedAt">When the cluster accepted the event; null for a delivery made without one (a test
    /// event), which then has no latency to record.</param>
    public void Succeeded(DateTimeOffset? acceptedAt, DateTimeOffset now)
    {
        _succeeded.Add(1);
        if (acceptedAt is { } accepted && accepted != default)
        {
            _latency.Record(Math.Max(0, (now - accepted).TotalSeconds));
        }
    }

    public void Failed() => _failed.Add(1);
}
