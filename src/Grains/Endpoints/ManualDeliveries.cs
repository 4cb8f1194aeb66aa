using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints.Queue;
using Webhooks.Endpoints.Sending;
using Webhooks.Errors;
using Webhooks.Paging;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>What operators do by hand: redeliver a finished delivery, replay an endpoint's failed (or succeeded)
/// deliveries since a time, send a test event. Each makes one attempt, marked manual in the log.</summary>
internal sealed class ManualDeliveries(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryQueue queue,
    DeliveryRunner runner,
    EndpointStats stats,
    EndpointRecovery recovery,
    IDeliveryStore store,
    DeliveryClock clock,
    int maxReplay)
{
    public async Task<DeliveryRecord> RedeliverAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var record = (DeliveryId.TryParse(deliveryId, out var owner, out var sequence) && owner == endpointId
                ? await store.GetAsync(endpointId, sequence, cancellationToken)
                : null)
            ?? throw new ResourceNotFoundException("delivery", deliveryId);
        if (record.Status == DeliveryStatus.Pending || queue.Lanes.IsManual(record.Sequence))
        {
            throw new FailedPreconditionException(record.NextAttemptAt is { } next
                ? $"delivery {deliveryId} is still pending; its next attempt is due at {next:u}"
                : $"delivery {deliveryId} is still pending");
        }

        var requeued = await RequeueAsync([record], cancellationToken);
        return requeued[0];
    }

    public async Task<ReplayResult> ReplayAsync(DateTimeOffset since, DeliveryStatus? status, CancellationToken cancellationToken)
    {
        var wanted = status ?? DeliveryStatus.Failed;
        if (wanted == DeliveryStatus.Pending)
        {
            throw new InvalidFieldException("status", "pending deliveries are queued already; replay failed or succeeded ones");
        }

        since = DeliveryClock.ToStoredPrecision(since);

        // The log is newest first: collect back to `since`, then requeue oldest first.
        var found = new List<DeliveryRecord>();
        var truncated = false;
        string? token = null;
        do
        {
            var page = await store.QueryAsync(new DeliveryQuery
            {
                EndpointId = endpointId,
                Status = wanted,
                PageSize = PageSizes.Max,
                PageToken = token,
            }, cancellationToken);
            token = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
            foreach (var record in page.Items)
            {
                if (record.CreatedAt < since)
                {
                    token = null;
                    break;
                }

                if (found.Count == maxReplay)
                {
                    truncated = true;
                    token = null;
                    break;
                }

                if (!queue.Lanes.IsManual(record.Sequence))
                {
                    found.Add(record);
                }
            }
        }
        while (token is not null);

        found.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        await RequeueAsync(found, cancellationToken);
        return new ReplayResult { Requeued = found.Count, Truncated = truncated };
    }

    /// <summary>Sends a sample event right away, whatever the queue, pause or circuit, and records it in the log.</summary>
    public async Task<DeliveryRecord> SendTestEventAsync(EndpointDefinition definition, CancellationToken cancellationToken)
    {
        if (TemplateCompiler.IsTemplate(definition.Url))
        {
            throw new FailedPreconditionException($"endpoint {endpointId}'s URL is a template, which only a real event can fill in");
        }

        var now = clock.StoredNow();
        var sequence = await endpoint.NextSequenceAsync(cancellationToken);
        var record = DeliveryRecords.Test(endpointId, sequence, definition.Url, now);

        // Kept out of the queue: a read of pending deliveries while it is on the wire must not send it again.
        queue.Lanes.ReserveManual(sequence);
        try
        {
            await store.AddAsync([record], cancellationToken);
            var outcome = (await runner.SendAsync(definition, record, 1)) with { Manual = true };
            stats.RecordAttempt(outcome);
            record = record with { Attempts = [outcome] };
            var status = RetryDecision.IsSuccess(outcome) ? DeliveryStatus.Succeeded : DeliveryStatus.Failed;
            await runner.FinishAsync(record, status, null);
            return record with { Status = status };
        }
        finally
        {
            queue.Lanes.ReleaseManual(sequence);
        }
    }

    /// <summary>Makes finished deliveries pending again and queues them for one manual attempt each.</summary>
    private async Task<List<DeliveryRecord>> RequeueAsync(List<DeliveryRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return [];
        }

        await recovery.BeforeRequeueAsync(records[0].Sequence, cancellationToken);
        var requeued = records.Select(r => r with { Status = DeliveryStatus.Pending, NextAttemptAt = null }).ToList();
        await Task.WhenAll(requeued.Select(r => store.UpdateAsync(r, cancellationToken)));
        foreach (var record in requeued)
        {
            queue.Lanes.AddManual(record);
        }

        await recovery.EnsureAsync(queue.HasWork, cancellationToken);
        queue.Pump();
        return requeued;
    }
}
