using Microsoft.Extensions.Logging;
using Webhooks.Diagnostics;

namespace Webhooks.Rules;

/// <summary>Counts what a webhook did with events and keeps its last error, which its status shows; errors are logged
/// as they happen. The grain saves the counts now and then (<see cref="Unsaved"/>).</summary>
/// <remarks>Not thread-safe: the webhook grain's turns use it one at a time.</remarks>
internal sealed partial class WebhookStatsRecorder(string webhookId, TimeProvider time, WebhooksMetrics metrics, ILogger logger)
{
    private WebhookStats _current = new();

    public WebhookStats Current
    {
        get => _current;
        private set
        {
            _current = value;
            Unsaved = true;
        }
    }

    /// <summary>Changed since <see cref="Saved"/>.</summary>
    public bool Unsaved { get; private set; }

    public void Saved() => Unsaved = false;

    /// <summary>Continues from counts saved by an earlier activation.</summary>
    public void Restore(WebhookStats saved) => _current = saved;

    public void Reset() => Current = new WebhookStats();

    public void FilteredByEvent() => Current = Current with { EventsFilteredByEvent = Current.EventsFilteredByEvent + 1 };

    public void FilteredByCondition() => Current = Current with { EventsFilteredByCondition = Current.EventsFilteredByCondition + 1 };

    public void Matched() => Current = Current with { EventsMatched = Current.EventsMatched + 1 };

    public void Created(int deliveries)
    {
        Current = Current with { DeliveriesCreated = Current.DeliveriesCreated + deliveries };
        metrics.Created(deliveries);
    }

    public void ConditionFailed(string eventId, string message)
    {
        Current = Current with { ConditionErrors = Current.ConditionErrors + 1 };
        metrics.ConditionFailed();
        var error = $"event {eventId}: {message}";
        SetLastError(error);
        LogConditionFailed(logger, webhookId, error);
    }

    public void TemplateFailed(string eventId, string message)
    {
        Current = Current with { TemplateErrors = Current.TemplateErrors + 1 };
        Error($"event {eventId}: {message}");
    }

    public void DeadLettered(string eventId, int failures, string error)
    {
        Current = Current with { EventsDeadLettered = Current.EventsDeadLettered + 1 };
        SetLastError($"event {eventId} set aside as a dead letter after {failures} failures: {error}");
        LogDeadLettered(logger, webhookId, eventId, failures, error);
    }

    public void Error(string message)
    {
        SetLastError(message);
        LogWebhookError(logger, webhookId, message);
    }

    private void SetLastError(string message) => Current = Current with { LastError = message, LastErrorAt = time.GetUtcNow() };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: condition failed: {Error}")]
    private static partial void LogConditionFailed(ILogger logger, string webhookId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {WebhookId}: event {EventId} set aside as a dead letter after {Failures} failures: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string webhookId, string eventId, int failures, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: {Error}")]
    private static partial void LogWebhookError(ILogger logger, string webhookId, string error);
}
