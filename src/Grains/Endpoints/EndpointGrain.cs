using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Catalog;
using Webhooks.Deliveries;
using Webhooks.Delivery;
using Webhooks.Diagnostics;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Hosting;
using Webhooks.Resources;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>Owns one endpoint: its definition, and the FIFO queue of its deliveries, of which at most
/// max_in_flight are being sent at once. Callers wait while the queue is full (backpressure).</summary>
/// <remarks>Sends run as tasks on this activation's scheduler, so their bookkeeping interleaves with requests
/// only at awaits and never races them. A delivery is recorded in the store before it is first sent.</remarks>
[GrainType("endpoint")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync; grains have no Dispose.")]
internal sealed partial class EndpointGrain(
    [PersistentState("endpoint", StorageNames.Definitions)] IPersistentState<EndpointState> state,
    DeliverySender sender,
    IDeliveryStore store,
    TemplateCompiler templates,
    WebhooksMetrics metrics,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<EndpointGrain> logger) : Grain, IEndpointGrain
{
    private const string Kind = "endpoint";
    private const long SequenceBlock = 100_000;

    private readonly DeliveryOptions _options = options.Value;
    private readonly RecentIdSet _recentKeys = new(options.Value.DuplicateWindow);
    private readonly Queue<DeliveryRecord> _queue = new();
    private readonly CancellationTokenSource _shutdown = new();
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _drained;
    private long _nextSequence;
    private int _inFlight;
    private int _waiting;
    private long _delivered;
    private long _failed;
    private long _attempts;
    private int _lastStatusCode;
    private string _lastError = "";
    private DateTimeOffset? _lastAttemptAt;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _nextSequence = state.State.SequenceReservedUpTo;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_queue.Count > 0 || _inFlight > 0)
        {
            LogDeactivatingWithWork(logger, Id, _queue.Count, _inFlight, reason.Description);
        }

        // Let attempts already on the wire finish (bounded by the deactivation's own deadline).
        if (_inFlight > 0)
        {
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await _drained.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Out of time: the sends are cancelled below.
            }
        }

        await _shutdown.CancelAsync();
        _shutdown.Dispose();
    }

    public async Task<EndpointInfo> CreateAsync(EndpointDefinition definition, CancellationToken cancellationToken)
    {
        ResourceIds.Validate(Id, "endpoint_id");
        if (state.State.Definition is not null)
        {
            throw new ResourceExistsException(Kind, Id);
        }

        var normalized = EndpointValidator.Normalize(definition, templates);
        var now = time.GetUtcNow();
        state.State.Definition = normalized;
        state.State.CreatedAt = now;
        state.State.UpdatedAt = now;
        state.State.Version++;
        state.State.UrlVersion++;
        await state.WriteStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints).AddAsync(Id, cancellationToken);
        return Info();
    }

    public Task<EndpointInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Info());

    public async Task<EndpointInfo> UpdateAsync(EndpointDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken)
    {
        var current = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var merged = current;
        foreach (var field in fields)
        {
            merged = field switch
            {
                EndpointField.Name => merged with { Name = changes.Name },
                EndpointField.Url => merged with { Url = changes.Url },
                EndpointField.Headers => merged with { Headers = changes.Headers },
                EndpointField.Secret => merged with { Secret = changes.Secret },
                EndpointField.SslVerification => merged with { SslVerification = changes.SslVerification },
                EndpointField.CaFilePath => merged with { CaFilePath = changes.CaFilePath },
                EndpointField.Timeout => merged with { Timeout = changes.Timeout },
                EndpointField.MaxInFlight => merged with { MaxInFlight = changes.MaxInFlight },
                EndpointField.Kind => merged with { Kind = changes.Kind },
                EndpointField.Description => merged with { Description = changes.Description },
                _ => throw new InvalidFieldException("update_mask", $"'{field}' is not an updatable endpoint field"),
            };
        }

        var normalized = EndpointValidator.Normalize(merged, templates);
        state.State.Definition = normalized;
        state.State.UpdatedAt = time.GetUtcNow();
        state.State.Version++;
        if (normalized.Url != current.Url)
        {
            state.State.UrlVersion++;
        }

        await state.WriteStateAsync(cancellationToken);
        Pump();
        return Info();
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if (state.State.Definition is null)
        {
            throw new ResourceNotFoundException(Kind, Id);
        }

        var reserved = state.State.SequenceReservedUpTo;
        await state.ClearStateAsync(cancellationToken);
        // Keeps delivery ids unique should the id be reused.
        state.State.SequenceReservedUpTo = reserved;
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints).RemoveAsync(Id, cancellationToken);
        while (_queue.TryDequeue(out var abandoned))
        {
            await FinishAsync(abandoned, DeliveryStatus.Failed, "endpoint deleted");
        }

        ReleaseWaiters();
    }

    public async Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken)
    {
        var definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        if (requests.IsDefaultOrEmpty)
        {
            return new EnqueueResult { Outcome = EnqueueOutcome.Accepted };
        }

        if (requests.Any(r => r.UrlVersion != state.State.UrlVersion))
        {
            return new EnqueueResult { Outcome = EnqueueOutcome.StaleRoute, Route = Route(definition) };
        }

        var created = 0;
        var duplicates = 0;
        foreach (var request in requests)
        {
            var key = string.Concat(request.EventId, "\n", request.WebhookId);
            if (_recentKeys.Contains(key))
            {
                duplicates++;
                continue;
            }

            await WaitForRoomAsync(cancellationToken);
            definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
            var sequence = await NextSequenceAsync(cancellationToken);
            var record = new DeliveryRecord
            {
                Id = DeliveryId.Format(Id, sequence),
                EndpointId = Id,
                Sequence = sequence,
                WebhookId = request.WebhookId,
                EventId = request.EventId,
                ObjectType = request.ObjectType,
                Event = request.Event,
                Status = DeliveryStatus.Pending,
                HttpMethod = request.HttpMethod,
                Url = request.Url ?? definition.Url,
                ContentType = request.ContentType,
                Headers = request.Headers,
                Body = request.Body,
                CreatedAt = time.GetUtcNow(),
            };

            await store.AddAsync(record, cancellationToken);
            _recentKeys.Add(key);
            _queue.Enqueue(record);
            created++;
            Pump();
        }

        return new EnqueueResult { Outcome = EnqueueOutcome.Accepted, Created = created, Duplicates = duplicates };
    }

    public Task<EndpointStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        return Task.FromResult(new EndpointStatus
        {
            EndpointId = Id,
            Queued = _queue.Count,
            InFlight = _inFlight,
            Delivered = _delivered,
            Failed = _failed,
            Attempts = _attempts,
            LastStatusCode = _lastStatusCode,
            LastError = _lastError,
            LastAttemptAt = _lastAttemptAt,
            MaxInFlight = definition.MaxInFlight,
            QueueCapacity = _options.QueueCapacity,
            WaitingEnqueuers = _waiting,
        });
    }

    public Task<DeliveryPage> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(Id, query, cancellationToken);

    public Task<DeliveryRecord?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken) =>
        DeliveryId.TryParse(deliveryId, out var endpointId, out var sequence) && endpointId == Id
            ? store.GetAsync(Id, sequence, cancellationToken)
            : Task.FromResult<DeliveryRecord?>(null);

    private EndpointInfo Info()
    {
        var definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        return new EndpointInfo
        {
            Id = Id,
            Definition = definition with { Secret = null },
            SecretSet = definition.Secret is not null,
            CreatedAt = state.State.CreatedAt,
            UpdatedAt = state.State.UpdatedAt,
            Version = state.State.Version,
        };
    }

    private EndpointRoute Route(EndpointDefinition definition) => new()
    {
        Url = definition.Url,
        IsTemplate = TemplateCompiler.IsTemplate(definition.Url),
        UrlVersion = state.State.UrlVersion,
    };

    private async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (_queue.Count + _inFlight < _options.QueueCapacity)
        {
            return;
        }

        _waiting++;
        try
        {
            var deadline = time.GetUtcNow() + _options.EnqueueWait;
            while (_queue.Count + _inFlight >= _options.QueueCapacity)
            {
                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || state.State.Definition is null)
                {
                    throw new EndpointBusyException(
                        $"endpoint {Id} has {_queue.Count + _inFlight} deliveries waiting (capacity {_options.QueueCapacity})");
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                try
                {
                    await _room.Task.WaitAsync(remaining, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // The loop condition decides with current numbers.
                }
            }
        }
        finally
        {
            _waiting--;
        }
    }

    private void ReleaseWaiters()
    {
        if (_room is { } room)
        {
            _room = null;
            room.TrySetResult();
        }
    }

    private async ValueTask<long> NextSequenceAsync(CancellationToken cancellationToken)
    {
        if (_nextSequence >= state.State.SequenceReservedUpTo)
        {
            state.State.SequenceReservedUpTo = _nextSequence + SequenceBlock;
            await state.WriteStateAsync(cancellationToken);
        }

        return _nextSequence++;
    }

    /// <summary>Starts sends while there is capacity; FIFO, so with max_in_flight = 1 order is strict.</summary>
    private void Pump()
    {
        if (state.State.Definition is not { } definition)
        {
            return;
        }

        while (_inFlight < definition.MaxInFlight && _queue.TryDequeue(out var record))
        {
            _inFlight++;
            _ = RunAsync(record);
        }

        if (_inFlight > 0)
        {
            // Idle collection looks only at requests; sends and retries must keep the queue alive.
            DelayDeactivation(TimeSpan.FromMinutes(30));
        }
    }

    /// <summary>Sends one delivery until it succeeds or runs out of attempts, holding its in-flight slot
    /// (so a retrying head of line holds later deliveries back).</summary>
    private async Task RunAsync(DeliveryRecord record)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (state.State.Definition is not { } definition)
                {
                    await FinishAsync(record, DeliveryStatus.Failed, "endpoint deleted");
                    return;
                }

                var outcome = await sender.SendAsync(definition, record, attempt, _shutdown.Token);
                RecordAttempt(outcome);
                record = record with { Attempts = record.Attempts.Add(outcome) };
                var success = outcome.StatusCode is >= 200 and < 300;
                if (success || attempt >= _options.MaxAttempts)
                {
                    await FinishAsync(record, success ? DeliveryStatus.Succeeded : DeliveryStatus.Failed, null);
                    return;
                }

                var delay = _options.RetryDelay(attempt);
                record = record with { NextAttemptAt = time.GetUtcNow() + delay };
                await store.UpdateAsync(record);
                await Task.Delay(delay, time, _shutdown.Token);
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Deactivating: memory mode loses the rest of this delivery, as its start-up message warns.
        }
        catch (Exception ex)
        {
            LogDeliveryCrashed(logger, ex, Id, record.Id);
        }
        finally
        {
            _inFlight--;
            ReleaseWaiters();
            if (_inFlight == 0)
            {
                _drained?.TrySetResult();
            }

            if (!_shutdown.IsCancellationRequested)
            {
                Pump();
            }
        }
    }

    private void RecordAttempt(DeliveryAttempt attempt)
    {
        _attempts++;
        _lastStatusCode = attempt.StatusCode;
        _lastError = attempt.Error.Length > 0 ? attempt.Error
            : attempt.StatusCode is >= 200 and < 300 ? ""
            : $"HTTP {attempt.StatusCode}";
        _lastAttemptAt = attempt.Time;
        metrics.Attempts.Add(1);
        metrics.AttemptDuration.Record(attempt.Duration.TotalSeconds);
    }

    private async Task FinishAsync(DeliveryRecord record, DeliveryStatus status, string? reason)
    {
        if (status == DeliveryStatus.Succeeded)
        {
            _delivered++;
            metrics.Delivered.Add(1);
        }
        else
        {
            _failed++;
            metrics.Failed.Add(1);
            LogDeliveryFailed(logger, Id, record.Id, record.Attempts.Length, reason ?? _lastError);
        }

        await store.UpdateAsync(record with { Status = status, NextAttemptAt = null });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: delivery {DeliveryId} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string endpointId, string deliveryId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint {EndpointId}: delivery {DeliveryId} stopped unexpectedly")]
    private static partial void LogDeliveryCrashed(ILogger logger, Exception exception, string endpointId, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} deactivating ({Reason}) with {Queued} queued and {InFlight} in-flight deliveries")]
    private static partial void LogDeactivatingWithWork(ILogger logger, string endpointId, int queued, int inFlight, string reason);
}
