using Microsoft.Extensions.Logging;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Endpoints.Queue;
using Webhooks.Errors;

namespace Webhooks.Endpoints.Sending;

/// <summary>Runs deliveries: each one's attempts until it succeeds or runs out of them, the waits between them, and
/// recording every outcome. A delivery holds its in-flight slot meanwhile (so with ordering = fifo a retrying head of
/// line holds later deliveries back; with ordering = none it gives the slot up while it waits). An operator's
/// redelivery makes one attempt.</summary>
/// <remarks>Sends run as tasks on the activation's scheduler, so their bookkeeping interleaves with requests only at
/// awaits and never races them. Every attempt's outcome is recorded before the next attempt; a delivery whose last
/// attempt was not recorded is sent again (at least once).</remarks>
internal sealed partial class DeliveryRunner(
    string endpointId,
    EndpointStateWriter endpoint,
    DeliveryLanes lanes,
    SendGate gate,
    EndpointStats stats,
    EndpointRecovery recovery,
    DeliverySender sender,
    IDeliveryStore store,
    DeliveryOptions options,
    TimeProvider time,
    ILogger logger,
    CancellationToken shutdown)
{
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    private readonly RetryPolicy _defaultPolicy = options.DefaultRetryPolicy;
    private TaskCompletionSource? _drained;

    /// <summary>A delivery left its in-flight slot: room for callers waiting to enqueue, and for the next send.</summary>
    public event Action? SlotFreed;

    /// <summary>ordering = none: a retry's time has come and it was queued.</summary>
    public event Action? RetryDue;

    /// <summary>Sends on the wire plus outcomes being written: what deactivation waits for.</summary>
    public int Unsettled { get; private set; }

    public async Task RunAsync(DeliveryRecord record)
    {
        var manual = lanes.IsManual(record.Sequence);
        try
        {
            for (var attempt = record.Attempts.Length + 1; ; attempt++)
            {
                if (endpoint.Definition is not { } definition)
                {
                    await FinishAsync(record, DeliveryStatus.Failed, "endpoint deleted");
                    return;
                }

                var policy = definition.Retry ?? _defaultPolicy;
                if (!manual && attempt > policy.MaxAttempts)
                {
                    // Its last attempt was made before a crash, its outcome not recorded.
                    await FinishAsync(record, DeliveryStatus.Failed, "no attempts left");
                    return;
                }

                // A retry read back from the store keeps its schedule.
                if (record.NextAttemptAt is { } due && due > time.GetUtcNow())
                {
                    if (definition.Ordering == DeliveryOrdering.None)
                    {
                        _ = WaitForRetryAsync(record);
                        return;
                    }

                    await Task.Delay(due - time.GetUtcNow(), time, shutdown);
                }

                if (!await gate.WaitForTurnAsync(record.Sequence, shutdown))
                {
                    if (gate.IsStopped)
                    {
                        recovery.MarkAbandoned();
                    }
                    else
                    {
                        lanes.Park(record);
                        manual = false; // still an operator's: its sequence stays marked
                    }

                    return;
                }

                definition = endpoint.Definition ?? definition;
                var outcome = await SendAsync(definition, record, attempt);
                if (manual)
                {
                    outcome = outcome with { Manual = true };
                }

                stats.RecordAttempt(outcome);
                record = record with { Attempts = record.Attempts.Add(outcome) };
                var success = RetryDecision.IsSuccess(outcome);
                await gate.RecordOutcomeAsync(definition, record, outcome, stats.LastError);
                if (!success && !gate.IsSending)
                {
                    // This outcome disabled the endpoint (410 Gone, or failing for too long), or it was paused
                    // meanwhile: the delivery stays pending and goes first when the endpoint resumes.
                    record = record with { NextAttemptAt = null };
                    await PersistAsync(record);
                    lanes.Park(record);
                    manual = false;
                    return;
                }

                var delay = success || manual
                    ? null
                    : RetryDecision.NextDelay(policy, attempt, outcome, options.ThrottleMinimumDelay, Random.Shared.NextDouble());
                if (delay is null)
                {
                    // The slot goes to the next delivery now and the outcome is written meanwhile (grouped with
                    // other writes): with max_in_flight = 1 sending never waits for a commit. Should the silo die
                    // before it commits, this delivery is sent again, which at-least-once allows.
                    _ = SettleAsync(record, success ? DeliveryStatus.Succeeded : DeliveryStatus.Failed);
                    return;
                }

                if (stats.ShouldWarnOfRetry(time.GetUtcNow()))
                {
                    LogRetrying(logger, endpointId, record.Id, attempt, stats.LastError, delay.Value);
                }

                record = record with { NextAttemptAt = time.GetUtcNow() + delay.Value };
                await PersistAsync(record);
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Deactivating: memory mode loses the rest of this delivery, as its start-up message warns.
            recovery.MarkAbandoned();
        }
        catch (Exception ex)
        {
            recovery.MarkAbandoned();
            lanes.Release(record.Sequence);
            LogDeliveryCrashed(logger, ex, endpointId, record.Id);
        }
        finally
        {
            if (manual)
            {
                lanes.ReleaseManual(record.Sequence);
            }

            gate.ReleaseProbe(record.Sequence);
            lanes.SendEnded();
            SlotFreed?.Invoke();
        }
    }

    /// <summary>One attempt, counted as unsettled while it is on the wire.</summary>
    public async Task<DeliveryAttempt> SendAsync(EndpointDefinition definition, DeliveryRecord record, int attempt)
    {
        Unsettled++;
        try
        {
            return await sender.SendAsync(definition, record, attempt, shutdown);
        }
        finally
        {
            Settled();
        }
    }

    /// <summary>Records a delivery's final status.</summary>
    /// <param name="reason">Why it failed, when not its last attempt's error.</param>
    public async Task FinishAsync(DeliveryRecord record, DeliveryStatus status, string? reason)
    {
        stats.RecordFinished(record, status, time.GetUtcNow());
        if (status != DeliveryStatus.Succeeded)
        {
            LogDeliveryFailed(logger, endpointId, record.Id, record.Attempts.Length, reason ?? stats.LastError);
        }

        try
        {
            await PersistAsync(record with { Status = status, NextAttemptAt = null });
        }
        finally
        {
            lanes.Release(record.Sequence);
        }
    }

    /// <summary>Waits, within <paramref name="cancellationToken"/>, for the attempts on the wire and the outcomes
    /// being written.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (Unsettled == 0)
        {
            return;
        }

        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _drained.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the sends are cancelled by the caller.
        }
    }

    /// <summary>ordering = none: waits for a delivery's retry outside the in-flight slots, then queues it ahead
    /// of new deliveries.</summary>
    private async Task WaitForRetryAsync(DeliveryRecord record)
    {
        lanes.RetryWaitStarted();
        try
        {
            var wait = record.NextAttemptAt!.Value - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, shutdown);
            }
        }
        catch (OperationCanceledException)
        {
            lanes.RetryWaitEnded();
            recovery.MarkAbandoned();
            return;
        }

        lanes.RetryWaitEnded();
        lanes.AddDue(record);
        RetryDue?.Invoke();
    }

    private async Task SettleAsync(DeliveryRecord record, DeliveryStatus status)
    {
        Unsettled++;
        try
        {
            await FinishAsync(record, status, null);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Deactivating with the database away: the delivery stays pending and is sent again later.
        }
        catch (Exception ex)
        {
            LogDeliveryCrashed(logger, ex, endpointId, record.Id);
        }
        finally
        {
            Settled();
        }
    }

    private void Settled()
    {
        if (--Unsettled == 0)
        {
            _drained?.TrySetResult();
        }
    }

    /// <summary>Writes a delivery's new state, retrying while the database is unavailable: the delivery keeps its
    /// slot (and, with max_in_flight = 1, its place at the head) until its outcome is recorded.</summary>
    private async Task PersistAsync(DeliveryRecord record)
    {
        while (true)
        {
            try
            {
                await store.UpdateAsync(record);
                return;
            }
            catch (StoreUnavailableException ex) when (!shutdown.IsCancellationRequested)
            {
                LogStoreUnavailable(logger, endpointId, record.Id, ex.Message);
                await Task.Delay(StoreRetryDelay, time, shutdown);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: recording delivery {DeliveryId} waits for the database: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string endpointId, string deliveryId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: delivery {DeliveryId} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string endpointId, string deliveryId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: attempt {Attempt} of delivery {DeliveryId} failed ({Reason}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string endpointId, string deliveryId, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint {EndpointId}: delivery {DeliveryId} stopped unexpectedly")]
    private static partial void LogDeliveryCrashed(ILogger logger, Exception exception, string endpointId, string deliveryId);
}
