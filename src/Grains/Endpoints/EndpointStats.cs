using Webhooks.Deliveries;
using Webhooks.Diagnostics;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints;

/// <summary>What an endpoint's activation has done: attempts, deliveries finished, and the latest outcome. Served
/// from memory by GetStatus; the silo-wide totals go to the metrics as well.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class EndpointStats(WebhooksMetrics metrics)
{
    public long Delivered { get; private set; }

    public long Failed { get; private set; }

    public long Attempts { get; private set; }

    public int LastStatusCode { get; private set; }

    /// <summary>The latest attempt's network error or non-2xx status; empty after a success.</summary>
    public string LastError { get; private set; } = "";

    public DateTimeOffset? LastAttemptAt { get; private set; }

    public void RecordAttempt(DeliveryAttempt attempt)
    {
        Attempts++;
        LastStatusCode = attempt.StatusCode;
        LastError = attempt.Error.Length > 0 ? attempt.Error
            : RetryDecision.IsSuccess(attempt) ? ""
            : $"HTTP {attempt.StatusCode}";
        LastAttemptAt = attempt.Time;
        metrics.Attempts.Add(1);
        metrics.AttemptDuration.Record(attempt.Duration.TotalSeconds);
    }

    public void RecordFinished(DeliveryStatus status)
    {
        if (status == DeliveryStatus.Succeeded)
        {
            Delivered++;
            metrics.Delivered.Add(1);
        }
        else
        {
            Failed++;
            metrics.Failed.Add(1);
        }
    }
}
