using Orleans.Streams;
using Webhooks.DeadLetters;
using Webhooks.Diagnostics;
using Webhooks.Events;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>What a webhook does with the events that reach it: evaluate, render and hand each one to its endpoints,
/// each at most once, in order. An event whose processing keeps failing the same way (not a busy endpoint or an
/// unreachable database, which are waited out) is set aside as a dead letter, so that it cannot stall the stream.</summary>
/// <remarks>Not thread-safe: the webhook grain's turns use it one at a time.</remarks>
internal sealed class WebhookEventProcessor(
    string webhookId,
    TemplateCompiler templates,
    EndpointRoutes routes,
    WebhookStatsRecorder stats,
    PoisonEventTracker poison,
    Func<DeadLetter, Task> setAside,
    TimeProvider time)
{
    // Covers the stream redelivering the last few batches, which is all it can redeliver.
    private const int DuplicateWindow = 4096;

    private readonly RecentIdSet _processed = new(DuplicateWindow);

    /// <summary>Processes a stream batch. Throws, so that the stream delivers the batch again, when an event could
    /// not be processed yet; those before it are not processed twice.</summary>
    public async Task OnBatchAsync(WebhookProgram program, DateTimeOffset activeSince, IList<SequentialItem<ObjectEvent>> items)
    {
        var events = new List<ObjectEvent>(items.Count);
        foreach (var sequential in items)
        {
            var item = sequential.Item;
            if (item.AcceptedAt < activeSince || _processed.Contains(item.EventId))
            {
                continue;
            }

            if (program.Covers(item))
            {
                events.Add(item);
            }
            else if (program.Types.Matches(item.ObjectType))
            {
                stats.FilteredByEvent();
            }
        }

        if (events.Count == 0)
        {
            return;
        }

        try
        {
            // The whole batch in one hand-off per endpoint: the common case, and the fast one.
            await ProcessAsync(program, events);
            return;
        }
        catch (Exception ex) when (!TransientFailures.IsTransient(ex))
        {
            // Something in the batch fails: one event at a time tells which.
        }

        foreach (var item in events)
        {
            if (_processed.Contains(item.EventId))
            {
                continue;
            }

            try
            {
                await ProcessAsync(program, [item]);
                poison.Forget(item.EventId);
            }
            catch (Exception ex) when (!TransientFailures.IsTransient(ex))
            {
                var failure = poison.Record(item.EventId, ex);
                if (!failure.IsPoison)
                {
                    // The events after it wait for it, which keeps them in order.
                    throw;
                }

                await setAside(new DeadLetter
                {
                    Event = item,
                    Error = failure.Error,
                    Failures = failure.Failures,
                    FirstFailedAt = failure.FirstFailedAt,
                    DeadLetteredAt = time.GetUtcNow(),
                });
                _processed.Add(item.EventId);
                stats.DeadLettered(item.EventId, failure.Failures, failure.Error);
            }
        }
    }

    /// <summary>Processes one event again at an operator's request, whether or not it was seen before; throws
    /// whatever stops it.</summary>
    public async Task RequeueAsync(WebhookProgram program, ObjectEvent item)
    {
        if (program.Covers(item))
        {
            await ProcessAsync(program, [item]);
        }

        _processed.Add(item.EventId);
    }

    private async Task ProcessAsync(WebhookProgram program, List<ObjectEvent> events)
    {
        var pending = new List<PendingDelivery>(events.Count);
        var handed = new List<string>(events.Count);
        foreach (var item in events)
        {
            PreparedEvent prepared;
            using (var activity = WebhooksTracing.StartEvaluation(item, webhookId))
            {
                prepared = program.Prepare(item, webhookId, templates, activity?.Id ?? item.TraceParent);
                activity?.SetTag("webhooks.outcome", prepared.Outcome.ToString());
            }

            switch (prepared.Outcome)
            {
                case PreparedOutcome.NotMatched:
                    stats.FilteredByCondition();
                    break;
                case PreparedOutcome.ConditionFailed:
                    stats.ConditionFailed(item.EventId, prepared.Error);
                    _processed.Add(item.EventId);
                    break;
                case PreparedOutcome.TemplateFailed:
                    stats.Matched();
                    stats.TemplateFailed(item.EventId, prepared.Error);
                    _processed.Add(item.EventId);
                    break;
                case PreparedOutcome.Ready:
                    pending.Add(prepared.Delivery);
                    handed.Add(item.EventId);
                    break;
            }
        }

        if (pending.Count > 0)
        {
            var endpointIds = program.Definition.EndpointIds;
            if (endpointIds.Length == 1)
            {
                await routes.HandOffAsync(endpointIds[0], pending);
            }
            else
            {
                var handOffs = new Task[endpointIds.Length];
                for (var i = 0; i < endpointIds.Length; i++)
                {
                    handOffs[i] = routes.HandOffAsync(endpointIds[i], pending);
                }

                await Task.WhenAll(handOffs);
            }
        }

        // Remembered only once every endpoint has them: a batch that failed half-way comes again.
        foreach (var eventId in handed)
        {
            stats.Matched();
            _processed.Add(eventId);
        }
    }
}
