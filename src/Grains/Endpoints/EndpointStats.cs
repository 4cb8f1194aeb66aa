using Webhooks.Deliveries;
using Webhooks.Diagnostics;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints;

/// <summary>What an endpoint's activation has done: attempts, deliveries finished, and the latest outcome. Served
/// from memory by GetStatus; the silo-wide totals go to the metrics as well.</summary>
/// <remarks>Not thread-safe: the endpoint grain's turns use it one at a time.</remarks>
internal sealed class EndpointStats(WebhooksMetrics metrics)
{
    private static readonly TimeSpan RetryWarningInterval = TimeSpan.FromMinutes(1);
    private DateTimeOffset _retryWarnedAt = DateTimeOffset.MinValue;
    private string _retryWarnedFor = "";

    public long Delivered { get; private set; }

    public long Failed { get; private set; }

    public long Attempts { get; private set; }

    public int LastStatusCode { get; private set; }

    /// <summary>The latest attempt's network error or non-2xx status; empty after a success.</summary>
    public string LastError { get; private set; } = "";

    public DateTimeOffset? LastAttemptAt { get; private set; }

    /// <summary>When the last attempt that did not succeed was made.</summary>
    public DateTimeOffset? LastErrorAt { get; private set; }

    /// <summary>Finished deliveries (succeeded or given up) per second over the last minute.</summary>
    public ThroughputWindow Finished { get; } = new();

    public RecentLatencies Latencies { get; } = new();

    /// <summary>Raised after each attempt and each finished delivery.</summary>
    public event Action? Changed;

    /// <summary>Whether a retried failure is worth a warning: the first, one a minute while they go on, and at once
    /// when the reason changes, so that a failing endpoint is visible without a line per attempt.</summary>
    public bool ShouldWarnOfRetry(DateTimeOffset now)
    {
        if (LastError == _retryWarnedFor && now - _retryWarnedAt < RetryWarningInterval)
        {
            return false;
        }

        (_retryWarnedFor, _retryWarnedAt) = (LastError, now);
        return true;
    }

    public void RecordAttempt(DeliveryAttempt attempt)
    {
        Attempts++;
        LastStatusCode = attempt.StatusCode;
        LastError = attempt.Error.Length > 0 ? attempt.Error
            : RetryDecision.IsSuccess(attempt) ? ""
            : $"HTTP {attempt.StatusCode}";
        LastAttemptAt = attempt.Time;
        if (LastError.Length > 0)
        {
            LastErrorAt = attempt.Time;
        }

        Latencies.Add(attempt.Duration);
        metrics.Attempted(attempt);
        Changed?.Invoke();
    }

    public void RecordFinished(DeliveryRecord record, DeliveryStatus status, DateTimeOffset now)
    {
        Finished.Add(now);
        if (status == DeliveryStatus.Succeeded)
        {
            Delivered++;
            // Latency is physics: the machine's clock, not the delivery clock that tests move by hand.
            metrics.Succeeded(record.EventAcceptedAt, DateTimeOffset.UtcNow);
        }
        else
        {
            Failed++;
            metrics.Failed();
        }

        Changed?.Invoke();
    }
}
