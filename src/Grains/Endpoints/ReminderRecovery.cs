using Microsoft.Extensions.Logging;

namespace Webhooks.Endpoints;

/// <summary>Durable mode's recovery. While an endpoint has unfinished deliveries it keeps a reminder, so that it
/// is activated again (and reads its pending deliveries back) even when nothing else calls it after its silo was
/// lost. When idle it saves a settled mark, below which every delivery is finished, so that reading back starts
/// there instead of at the beginning.</summary>
internal sealed partial class ReminderRecovery(
    Grain grain,
    IGrainFactory grains,
    string endpointId,
    EndpointStateWriter endpoint,
    TimeSpan interval,
    TimeProvider time,
    ILogger logger) : EndpointRecovery
{
    private const string ReminderName = "recover";
    private static readonly TimeSpan SettledMarkInterval = TimeSpan.FromMinutes(1);

    private bool _abandonedPending;
    private bool _registered;
    private long _settledMarkSavedAt;

    public override void MarkAbandoned() => _abandonedPending = true;

    public override async Task EnsureAsync(bool hasWork, CancellationToken cancellationToken)
    {
        if (!_registered && hasWork)
        {
            await grain.RegisterOrUpdateReminder(ReminderName, interval, interval, cancellationToken);
            _registered = true;
        }
    }

    public override void ReminderFired() => _registered = true;

    public override void OnIdle()
    {
        if (time.GetElapsedTime(_settledMarkSavedAt) > SettledMarkInterval)
        {
            _ = SaveSettledMarkAsync();
        }
    }

    public override async Task BeforeRequeueAsync(long sequence, CancellationToken cancellationToken)
    {
        if (sequence < endpoint.State.SettledBelow)
        {
            // Recovery reads pending deliveries from the settled mark on: moved back first, so that a crash cannot
            // strand these as pending rows nobody reads.
            endpoint.State.SettledBelow = sequence;
            await endpoint.WriteAsync(cancellationToken);
        }
    }

    public override async Task OnDeactivateAsync(bool idle, bool wakeAgain)
    {
        if (endpoint.Definition is null)
        {
            return;
        }

        if (idle)
        {
            await SaveSettledMarkAsync();
            await StopAsync();
        }
        else if (wakeAgain)
        {
            // Handing over instead of waiting for the reminder: a call to itself, made now, is held until this
            // activation is gone and then placed anew (on a silo that is not shutting down); that activation reads
            // the pending deliveries back.
            await grains.GetGrain<IEndpointGrain>(endpointId).WakeAsync();
            LogHandedOver(logger, endpointId);
        }
    }

    public override async Task StopAsync()
    {
        try
        {
            if (await grain.GetReminder(ReminderName) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }

            _registered = false;
        }
        catch (Exception ex)
        {
            LogReminderFailed(logger, ex, endpointId);
        }
    }

    /// <summary>Records that every delivery numbered so far is finished (called only when idle).</summary>
    private async Task SaveSettledMarkAsync()
    {
        if (_abandonedPending || endpoint.State.SettledBelow >= endpoint.NextSequence || endpoint.Definition is null)
        {
            return;
        }

        try
        {
            endpoint.State.SettledBelow = endpoint.NextSequence;
            _settledMarkSavedAt = time.GetTimestamp();
            await endpoint.WriteAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Only an optimisation: recovery then starts reading from an older mark.
            LogSettledMarkFailed(logger, ex, endpointId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {EndpointId}: deactivated with deliveries pending; a new activation takes them over")]
    private static partial void LogHandedOver(ILogger logger, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {EndpointId}: could not save its settled mark; recovery will read from an older one")]
    private static partial void LogSettledMarkFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: could not update its recovery reminder")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string endpointId);
}
