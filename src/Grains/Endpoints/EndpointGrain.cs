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
/// max_in_flight are being sent at once. In memory mode callers wait while the queue is full (backpressure); with
/// a durable store the queue is the store's pending deliveries, of which a bounded window is held in memory and
/// refilled in order, and which a new activation (after a crash, a move or idle collection) reads back.</summary>
/// <remarks>Sends run as tasks on this activation's scheduler, so their bookkeeping interleaves with requests
/// only at awaits and never races them. A delivery is recorded in the store before it is first sent, and every
/// attempt before the next one; a delivery whose last attempt was not recorded is sent again (at least once).</remarks>
[GrainType("endpoint")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync; grains have no Dispose.")]
internal sealed partial class EndpointGrain(
    [PersistentState("endpoint", StorageNames.Definitions)] IPersistentState<EndpointState> state,
    DeliverySender sender,
    IDeliveryStore store,
    TemplateCompiler templates,
    WebhooksMetrics metrics,
    IOptions<DeliveryOptions> options,
    DeliveryClock clock,
    ILogger<EndpointGrain> logger) : Grain, IEndpointGrain, IRemindable
{
    private const string Kind = "endpoint";
    private const long SequenceBlock = 100_000;
    private const int DeleteBatchSize = 5_000;
    private const string RecoveryReminder = "recover";
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettledMarkInterval = TimeSpan.FromMinutes(1);

    private readonly DeliveryOptions _options = options.Value;
    private readonly TimeProvider time = clock.Time;
    private readonly bool _durable = store.IsDurable;
    private readonly RecentIdSet _recentKeys = new(options.Value.DuplicateWindow);
    private readonly Queue<DeliveryRecord> _queue = new();
    // Deliveries that were under way when the endpoint stopped sending; they go first when it resumes.
    private readonly Queue<DeliveryRecord> _parked = new();
    // Operator redeliveries: ahead of everything else, one attempt each.
    private readonly Queue<DeliveryRecord> _manual = new();
    private readonly HashSet<long> _manualSequences = [];
    // ordering = none: retries whose time has come, ahead of new deliveries.
    private readonly Queue<DeliveryRecord> _due = new();
    private readonly CircuitBreaker _breaker = new();
    private readonly TokenBucket _bucket = new(clock.Time);
    private readonly RetryPolicy _defaultPolicy = options.Value.DefaultRetryPolicy;
    private readonly CancellationTokenSource _shutdown = new();
    // Sends write state too (disabling, the settled mark) and interleave with requests at awaits: one write at a time.
    private readonly SemaphoreSlim _stateWrite = new(1, 1);
    private readonly SemaphoreSlim _enqueueing = new(1, 1);
    private readonly SemaphoreSlim _numbering = new(1, 1);
    private readonly Queue<Admission> _admissions = new();
    private long _settledMarkSavedAt;
    // A pending delivery left memory unfinished (deactivation, a crash in its task): it is still pending in the
    // store, so this activation must not claim everything below _nextSequence is finished.
    private bool _abandonedPending;
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _drained;
    // Completed whenever what decides whether a send may go changes (circuit, pause, definition).
    private TaskCompletionSource? _gateChanged;
    // ordering = none: retries waiting for their time outside the in-flight slots.
    private int _waitingRetry;
    // The delivery whose attempt is the half-open circuit's probe, until its outcome is known.
    private long? _probe;
    private long _nextSequence;
    private int _inFlight;
    // Sends on the wire plus outcomes being written: what deactivation waits for.
    private int _unsettled;
    private bool _deactivating;
    private int _waiting;
    private long _delivered;
    private long _failed;
    private long _attempts;
    private int _lastStatusCode;
    private string _lastError = "";
    private DateTimeOffset? _lastAttemptAt;

    // The store may hold pending deliveries after _loadedUpTo, the highest sequence this activation has held.
    // Until it is read to the end, new deliveries go only to the store, which keeps the queue in order.
    private bool _backlogInStore = true;
    private long _loadedUpTo = -1;
    private bool _loading;

    // Deliveries left to the store while a read of the backlog ran. The read stops below every write still being
    // admitted, so none of these is in it: once it has read to its end, they are all the store holds beyond it.
    private readonly List<DeliveryRecord> _storedDuringLoad = [];
    private bool _storedDuringLoadOverflowed;
    private bool _reminderRegistered;

    private string Id => this.GetPrimaryKeyString();

    private bool HasWork => Held > 0 || _backlogInStore;

    /// <summary>Deliveries in memory: queued, parked while the endpoint sends nothing, waiting for a retry
    /// (ordering = none), redelivered by an operator, and in flight.</summary>
    private int Held => _queue.Count + _parked.Count + _due.Count + _manual.Count + _waitingRetry + _inFlight;

    /// <summary>Paused by an operator or disabled (410 Gone): deliveries are accepted and kept, nothing is sent.</summary>
    private bool Sending => !state.State.Paused && state.State.DisabledReason is null;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _nextSequence = state.State.SequenceReservedUpTo;
        // Everything below the mark is finished: reading pending deliveries back starts there, not at the beginning.
        _loadedUpTo = state.State.SettledBelow - 1;
        _breaker.Restore(state.State.ConsecutiveFailures, state.State.FailingSince, state.State.CircuitOpen, time.GetUtcNow());
        // Picks up what an earlier activation left pending (a crash, a move, idle collection).
        Pump();
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminderRegistered = true;
        // Activating was the point: the reminder exists so that pending deliveries resume even when nothing
        // else calls this endpoint after its silo was lost.
        Pump();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Held > 0)
        {
            LogDeactivatingWithWork(logger, Id, _queue.Count, _inFlight, reason.Description);
        }

        // Let attempts already on the wire finish (bounded by the deactivation's own deadline); deliveries
        // waiting for a retry stop now (their schedule is stored; memory mode loses them).
        _deactivating = true;
        if (_unsettled > 0)
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

        if (_durable && !HasWork && _unsettled == 0 && state.State.Definition is not null)
        {
            await SaveSettledMarkAsync();
            await UnregisterRecoveryAsync();
        }

        _stateWrite.Dispose();
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
        await WriteStateAsync(cancellationToken);
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
                EndpointField.RetryPolicy => merged with { Retry = changes.Retry },
                EndpointField.Ordering => merged with { Ordering = changes.Ordering },
                EndpointField.CircuitBreaker => merged with { CircuitBreaker = changes.CircuitBreaker },
                EndpointField.RateLimit => merged with { RateLimit = changes.RateLimit },
                EndpointField.DisableAfter => merged with { DisableAfter = changes.DisableAfter },
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

        await WriteStateAsync(cancellationToken);
        GateChanged();
        Pump();
        return Info();
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if (state.State.Definition is null)
        {
            throw new ResourceNotFoundException(Kind, Id);
        }

        // A tombstone, not a cleared record: an endpoint created again under this id, even in a later activation,
        // must number its deliveries after the old ones (the log's key is endpoint and sequence) and must never
        // read the old ones back as its own.
        var old = state.State;
        state.State = new EndpointState
        {
            Version = old.Version,
            UrlVersion = old.UrlVersion,
            SequenceReservedUpTo = old.SequenceReservedUpTo,
            SettledBelow = old.SequenceReservedUpTo,
        };
        await WriteStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints).RemoveAsync(Id, cancellationToken);
        while (_manual.TryDequeue(out var abandoned) || _parked.TryDequeue(out abandoned) || _due.TryDequeue(out abandoned)
            || _queue.TryDequeue(out abandoned))
        {
            await FinishAsync(abandoned, DeliveryStatus.Failed, "endpoint deleted");
        }

        // What only the store holds (beyond the in-memory window), in bounded statements.
        while (await store.FailPendingAsync(Id, DeleteBatchSize, cancellationToken) == DeleteBatchSize)
        {
        }

        // As a later activation would: nothing below the tombstone's mark is read back.
        _loadedUpTo = Math.Max(_loadedUpTo, state.State.SettledBelow - 1);
        _manualSequences.Clear();
        // Also releases callers waiting for room: they see the endpoint is gone.
        GateChanged();
        if (_durable)
        {
            await UnregisterRecoveryAsync();
        }
    }

    /// <remarks>Interleaves with other calls, so that the durable writes of many webhooks' calls go to the database
    /// together instead of one commit after another. Memory mode takes them one at a time (its backpressure waits
    /// in here); durable mode numbers each call's deliveries under a short lock and queues them in that order once
    /// their write has committed.</remarks>
    public async Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken)
    {
        await (_durable ? _numbering : _enqueueing).WaitAsync(cancellationToken);
        var numbering = _durable;
        try
        {
            return await EnqueueCoreAsync(requests, () =>
            {
                if (numbering)
                {
                    numbering = false;
                    _numbering.Release();
                }
            }, cancellationToken);
        }
        finally
        {
            if (numbering)
            {
                _numbering.Release();
            }
            else if (!_durable)
            {
                _enqueueing.Release();
            }
        }
    }

    private async Task<EnqueueResult> EnqueueCoreAsync(ImmutableArray<DeliveryRequest> requests, Action numbered, CancellationToken cancellationToken)
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
        var batch = new List<DeliveryRecord>(_durable ? requests.Length : 1);
        // Whole microseconds: what PostgreSQL keeps, so page tokens made before and after a round trip agree.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
        foreach (var request in requests)
        {
            if (_recentKeys.Contains(Key(request.EventId, request.WebhookId)))
            {
                continue;
            }

            if (!_durable)
            {
                await WaitForRoomAsync(cancellationToken);
                definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
            }

            var sequence = await NextSequenceAsync(cancellationToken);
            batch.Add(new DeliveryRecord
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
                CreatedAt = now,
            });

            if (!_durable)
            {
                // One at a time, each after waiting for room.
                created += await AddAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            // One write for the whole batch, committed before the webhook (and so the stream) moves on.
            var admission = new Admission(batch);
            _admissions.Enqueue(admission);
            numbered();
            try
            {
                // Not the caller's token: when the caller goes away (its silo killed) the group commit may still
                // commit these rows, and a write abandoned half-way would leave them pending in the database but
                // never queued here (sent only after this endpoint's next activation).
                admission.Added = await store.AddAsync(batch, CancellationToken.None);
                created += admission.Added.Count;
            }
            catch
            {
                // It may have committed all the same: never claim those sequences are finished.
                _abandonedPending = true;
                throw;
            }
            finally
            {
                admission.Done = true;
                AdmitInOrder();
            }
        }

        numbered();

        var duplicates = requests.Length - created;
        // Before the caller (and so the stream) moves on: should this silo die, the reminder brings the endpoint
        // back even if nothing else calls it. Failing here makes the stream deliver the events again, which
        // registers it then (the deliveries themselves are already stored and are not added twice).
        await EnsureRecoveryReminderAsync(cancellationToken);

        return new EnqueueResult { Outcome = EnqueueOutcome.Accepted, Created = created, Duplicates = duplicates };
    }

    private async Task EnsureRecoveryReminderAsync(CancellationToken cancellationToken)
    {
        if (_durable && !_reminderRegistered && HasWork)
        {
            await this.RegisterOrUpdateReminder(RecoveryReminder, _options.RecoveryInterval, _options.RecoveryInterval, cancellationToken);
            _reminderRegistered = true;
        }
    }

    public async Task<DeliveryRecord> RedeliverAsync(string deliveryId, CancellationToken cancellationToken)
    {
        _ = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var record = await GetDeliveryAsync(deliveryId, cancellationToken) ?? throw new ResourceNotFoundException("delivery", deliveryId);
        if (record.Status == DeliveryStatus.Pending || _manualSequences.Contains(record.Sequence))
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
        _ = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var wanted = status ?? DeliveryStatus.Failed;
        if (wanted == DeliveryStatus.Pending)
        {
            throw new InvalidFieldException("status", "pending deliveries are queued already; replay failed or succeeded ones");
        }

        // Creation times are kept to the microsecond.
        since = since.AddTicks(-(since.UtcTicks % TimeSpan.TicksPerMicrosecond));

        // The log is newest first: collect back to `since`, then requeue oldest first.
        var found = new List<DeliveryRecord>();
        var truncated = false;
        string? token = null;
        do
        {
            var page = await store.QueryAsync(new DeliveryQuery
            {
                EndpointId = Id,
                Status = wanted,
                PageSize = DeliveryQuery.MaxPageSize,
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

                if (found.Count == _options.MaxReplay)
                {
                    truncated = true;
                    token = null;
                    break;
                }

                if (!_manualSequences.Contains(record.Sequence))
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

    /// <summary>Makes finished deliveries pending again and queues them for one manual attempt each.</summary>
    private async Task<List<DeliveryRecord>> RequeueAsync(List<DeliveryRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return [];
        }

        if (_durable && records[0].Sequence < state.State.SettledBelow)
        {
            // Recovery reads pending deliveries from the settled mark on: moved back first, so that a crash
            // cannot strand these as pending rows nobody reads.
            state.State.SettledBelow = records[0].Sequence;
            await WriteStateAsync(cancellationToken);
        }

        var requeued = records.Select(r => r with { Status = DeliveryStatus.Pending, NextAttemptAt = null }).ToList();
        await Task.WhenAll(requeued.Select(r => store.UpdateAsync(r, cancellationToken)));
        foreach (var record in requeued)
        {
            _manualSequences.Add(record.Sequence);
            _manual.Enqueue(record);
        }

        await EnsureRecoveryReminderAsync(cancellationToken);
        Pump();
        return requeued;
    }

    public async Task<DeliveryRecord> SendTestEventAsync(CancellationToken cancellationToken)
    {
        var definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        if (TemplateCompiler.IsTemplate(definition.Url))
        {
            throw new FailedPreconditionException($"endpoint {Id}'s URL is a template, which only a real event can fill in");
        }

        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
        var sequence = await NextSequenceAsync(cancellationToken);
        var eventId = $"test-{Guid.NewGuid():N}";
        var record = new DeliveryRecord
        {
            Id = DeliveryId.Format(Id, sequence),
            EndpointId = Id,
            Sequence = sequence,
            WebhookId = "",
            EventId = eventId,
            ObjectType = TestEvent.ObjectType,
            Event = TestEvent.Name,
            Status = DeliveryStatus.Pending,
            HttpMethod = "POST",
            Url = definition.Url,
            ContentType = "application/json",
            Body = TestEvent.Body(Id, eventId, now),
            CreatedAt = now,
        };

        // Kept out of the queue: a read of pending deliveries while it is on the wire must not send it again.
        _manualSequences.Add(sequence);
        try
        {
            await store.AddAsync([record], cancellationToken);
            DeliveryAttempt outcome;
            _unsettled++;
            try
            {
                outcome = (await sender.SendAsync(definition, record, 1, _shutdown.Token)) with { Manual = true };
            }
            finally
            {
                Settled();
            }

            RecordAttempt(outcome);
            record = record with { Attempts = [outcome] };
            var status = RetryDecision.IsSuccess(outcome) ? DeliveryStatus.Succeeded : DeliveryStatus.Failed;
            await FinishAsync(record, status, null);
            return record with { Status = status };
        }
        finally
        {
            _manualSequences.Remove(sequence);
        }
    }

    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        _ = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        if (!state.State.Paused)
        {
            state.State.Paused = true;
            await WriteStateAsync(cancellationToken);
            GateChanged();
        }
    }

    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _ = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        if (state.State.Paused || state.State.DisabledReason is not null)
        {
            state.State.Paused = false;
            state.State.DisabledReason = null;
            await WriteStateAsync(cancellationToken);
            GateChanged();
        }

        Pump();
    }

    public Task<EndpointStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var definition = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        return Task.FromResult(new EndpointStatus
        {
            EndpointId = Id,
            InFlight = _inFlight,
            BacklogInStore = _durable && _backlogInStore,
            Paused = state.State.Paused,
            DisabledReason = state.State.DisabledReason ?? "",
            Delivered = _delivered,
            Failed = _failed,
            Attempts = _attempts,
            LastStatusCode = _lastStatusCode,
            LastError = _lastError,
            LastAttemptAt = _lastAttemptAt,
            MaxInFlight = definition.MaxInFlight,
            QueueCapacity = _options.QueueCapacity,
            WaitingEnqueuers = _waiting,
            Queued = Held - _inFlight,
            WaitingForRetry = _waitingRetry,
            Circuit = _breaker.State,
            ConsecutiveFailures = _breaker.ConsecutiveFailures,
            FailingSince = _breaker.FailingSince,
            NextProbeAt = _breaker.NextProbeAt,
        });
    }

    public Task<DeliveryPage> ListDeliveriesAsync(DeliveryQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query with { EndpointId = Id }, cancellationToken);

    public Task<DeliveryRecord?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken) =>
        DeliveryId.TryParse(deliveryId, out var endpointId, out var sequence) && endpointId == Id
            ? store.GetAsync(Id, sequence, cancellationToken)
            : Task.FromResult<DeliveryRecord?>(null);

    private static string Key(string eventId, string webhookId) => string.Concat(eventId, "\n", webhookId);

    /// <summary>One call's deliveries, numbered, waiting for their write to commit.</summary>
    private sealed class Admission(List<DeliveryRecord> records)
    {
        public List<DeliveryRecord> Records { get; } = records;
        public IReadOnlyList<DeliveryRecord>? Added { get; set; }
        public bool Done { get; set; }
    }

    /// <summary>Records new deliveries and queues them in memory, or leaves them to the store when the window is
    /// full or older ones wait there.</summary>
    /// <returns>How many were new.</returns>
    private async Task<int> AddAsync(List<DeliveryRecord> records, CancellationToken cancellationToken)
    {
        var added = await store.AddAsync(records, cancellationToken);
        Admit(records, added);
        return added.Count;
    }

    /// <summary>Admits committed batches in the order they were numbered (they may commit in another order).</summary>
    private void AdmitInOrder()
    {
        while (_admissions.TryPeek(out var head) && head.Done)
        {
            _admissions.Dequeue();
            if (head.Added is { } added)
            {
                Admit(head.Records, added);
            }
        }
    }

    private void Admit(List<DeliveryRecord> records, IReadOnlyList<DeliveryRecord> added)
    {
        foreach (var record in records)
        {
            _recentKeys.Add(Key(record.EventId, record.WebhookId));
        }

        foreach (var record in added)
        {
            if (record.Sequence <= _loadedUpTo)
            {
                // A read of the backlog that ran while this write committed has already queued it.
                continue;
            }

            // Memory mode queues everything it admitted (its store is memory too, and WaitForRoomAsync already
            // bounded it); durable mode holds a window and leaves the rest to the database.
            if (!_backlogInStore && (!_durable || Held < _options.QueueCapacity))
            {
                _queue.Enqueue(record);
                _loadedUpTo = Math.Max(_loadedUpTo, record.Sequence);
            }
            else
            {
                _backlogInStore = true;
                if (_loading)
                {
                    if (_storedDuringLoad.Count < _options.QueueCapacity)
                    {
                        _storedDuringLoad.Add(record);
                    }
                    else
                    {
                        _storedDuringLoadOverflowed = true;
                    }
                }
            }
        }

        Pump();
    }

    /// <summary>Refills the in-memory window from the store, oldest first.</summary>
    private async Task LoadAsync()
    {
        _loading = true;
        var failed = false;
        try
        {
            var room = _options.QueueCapacity - (Held);
            _storedDuringLoad.Clear();
            _storedDuringLoadOverflowed = false;
            // Not past a write still being admitted: it may commit after this read's snapshot, or before it and be
            // admitted after, and either way this read could not tell (see _storedDuringLoad).
            var before = long.MaxValue;
            foreach (var admission in _admissions)
            {
                before = Math.Min(before, admission.Records[0].Sequence);
            }

            var loaded = await store.LoadPendingAsync(Id, _loadedUpTo, before, room, _shutdown.Token);
            foreach (var record in loaded)
            {
                // A delivery added while the read ran may already be here; one an operator requeued is queued already.
                if (record.Sequence > _loadedUpTo && !_manualSequences.Contains(record.Sequence))
                {
                    _queue.Enqueue(record);
                    _loadedUpTo = record.Sequence;
                    _recentKeys.Add(Key(record.EventId, record.WebhookId));
                }
            }

            // Read to the end: what was left to the store meanwhile is all that is still there. When it fits, queue it
            // and let new deliveries queue in memory again; under a steady trickle of writes some always arrive
            // during a read, and without this every delivery would wait for a read of its own.
            if (loaded.Count < room && !_storedDuringLoadOverflowed && _storedDuringLoad.Count <= room - loaded.Count)
            {
                foreach (var record in _storedDuringLoad)
                {
                    if (record.Sequence > _loadedUpTo && !_manualSequences.Contains(record.Sequence))
                    {
                        _queue.Enqueue(record);
                        _loadedUpTo = Math.Max(_loadedUpTo, record.Sequence);
                    }
                }

                _backlogInStore = false;
            }

            _storedDuringLoad.Clear();
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            failed = true;
            LogLoadFailed(logger, ex, Id);
        }
        finally
        {
            _loading = false;
        }

        if (failed)
        {
            // Try again later, not in a tight loop while the database is away.
            await DelayAsync(StoreRetryDelay);
        }

        if (!_shutdown.IsCancellationRequested)
        {
            Pump();
        }
    }

    private async Task UnregisterRecoveryAsync()
    {
        try
        {
            if (await this.GetReminder(RecoveryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderRegistered = false;
        }
        catch (Exception ex)
        {
            LogReminderFailed(logger, ex, Id);
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _shutdown.Token);
        }
        catch (OperationCanceledException)
        {
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
            catch (StoreUnavailableException ex) when (!_shutdown.IsCancellationRequested)
            {
                LogStoreUnavailable(logger, Id, record.Id, ex.Message);
                await Task.Delay(StoreRetryDelay, time, _shutdown.Token);
            }
        }
    }

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

    /// <summary>Memory mode's bound: an endpoint that is getting through paces its callers at the queue capacity;
    /// one that is failing or not sending holds up to the failing backlog bound instead of stalling them.</summary>
    private int Bound => Sending && _breaker.ConsecutiveFailures == 0 ? _options.QueueCapacity : Math.Max(_options.QueueCapacity, _options.MaxFailingBacklog);

    private async Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (Held < Bound)
        {
            return;
        }

        _waiting++;
        try
        {
            var deadline = time.GetUtcNow() + _options.EnqueueWait;
            while (Held >= Bound)
            {
                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero || state.State.Definition is null)
                {
                    throw new EndpointBusyException(
                        $"endpoint {Id} has {Held} deliveries waiting (capacity {Bound})");
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
            await WriteStateAsync(cancellationToken);
        }

        return _nextSequence++;
    }

    /// <summary>Starts sends while there is capacity; FIFO, so with max_in_flight = 1 order is strict.</summary>
    private void Pump()
    {
        if (state.State.Definition is not { } definition || _deactivating)
        {
            return;
        }

        while (Sending && _inFlight < definition.MaxInFlight
            && (_manual.TryDequeue(out var record) || _parked.TryDequeue(out record) || _due.TryDequeue(out record) || _queue.TryDequeue(out record)))
        {
            _inFlight++;
            _ = RunAsync(record);
        }

        // Refill at half the window, so sending never waits for a read.
        if (_backlogInStore && !_loading && Held <= _options.QueueCapacity / 2)
        {
            _ = LoadAsync();
        }

        if (_durable && Held == 0 && !_backlogInStore && !_loading && _unsettled == 0
            && time.GetElapsedTime(_settledMarkSavedAt) > SettledMarkInterval)
        {
            _ = SaveSettledMarkAsync();
        }

        if (_inFlight > 0 || _loading || _waitingRetry > 0)
        {
            // Idle collection looks only at requests; sends and retries must keep the queue alive.
            DelayDeactivation(TimeSpan.FromMinutes(30));
        }
    }

    /// <summary>Sends one delivery until it succeeds or runs out of attempts, holding its in-flight slot (so with
    /// ordering = fifo a retrying head of line holds later deliveries back; with ordering = none it gives the slot
    /// up while it waits). An operator's redelivery makes one attempt.</summary>
    private async Task RunAsync(DeliveryRecord record)
    {
        var manual = _manualSequences.Contains(record.Sequence);
        try
        {
            for (var attempt = record.Attempts.Length + 1; ; attempt++)
            {
                if (state.State.Definition is not { } definition)
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

                    await Task.Delay(due - time.GetUtcNow(), time, _shutdown.Token);
                }

                if (!await WaitForTurnAsync(record.Sequence))
                {
                    if (_deactivating)
                    {
                        _abandonedPending = true;
                    }
                    else
                    {
                        _parked.Enqueue(record);
                        manual = false; // still an operator's: its sequence stays marked
                    }

                    return;
                }

                definition = state.State.Definition ?? definition;
                DeliveryAttempt outcome;
                _unsettled++;
                try
                {
                    outcome = await sender.SendAsync(definition, record, attempt, _shutdown.Token);
                }
                finally
                {
                    Settled();
                }

                if (manual)
                {
                    outcome = outcome with { Manual = true };
                }

                RecordAttempt(outcome);
                record = record with { Attempts = record.Attempts.Add(outcome) };
                var success = RetryDecision.IsSuccess(outcome);
                await TrackHealthAsync(definition, record, outcome);
                if (!success && !Sending)
                {
                    // This outcome disabled the endpoint (410 Gone, or failing for too long), or it was paused
                    // meanwhile: the delivery stays pending and goes first when the endpoint resumes.
                    record = record with { NextAttemptAt = null };
                    await PersistAsync(record);
                    _parked.Enqueue(record);
                    manual = false;
                    return;
                }

                var delay = success || manual
                    ? null
                    : RetryDecision.NextDelay(policy, attempt, outcome, _options.ThrottleMinimumDelay, Random.Shared.NextDouble());
                if (delay is null)
                {
                    // The slot goes to the next delivery now and the outcome is written meanwhile (grouped with
                    // other writes): with max_in_flight = 1 sending never waits for a commit. Should the silo die
                    // before it commits, this delivery is sent again, which at-least-once allows.
                    _ = SettleAsync(record, success ? DeliveryStatus.Succeeded : DeliveryStatus.Failed);
                    return;
                }

                record = record with { NextAttemptAt = time.GetUtcNow() + delay.Value };
                await PersistAsync(record);
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Deactivating: memory mode loses the rest of this delivery, as its start-up message warns.
            _abandonedPending = true;
        }
        catch (Exception ex)
        {
            _abandonedPending = true;
            LogDeliveryCrashed(logger, ex, Id, record.Id);
        }
        finally
        {
            if (manual)
            {
                _manualSequences.Remove(record.Sequence);
            }

            if (_probe == record.Sequence)
            {
                // It took the probe and ended without an outcome (paused, deactivating, crashed): another may probe.
                _probe = null;
                _breaker.Release(time.GetUtcNow());
                GateChanged();
            }

            _inFlight--;
            ReleaseWaiters();

            if (!_shutdown.IsCancellationRequested)
            {
                Pump();
            }
        }
    }

    /// <summary>ordering = none: waits for a delivery's retry outside the in-flight slots, then queues it ahead
    /// of new deliveries.</summary>
    private async Task WaitForRetryAsync(DeliveryRecord record)
    {
        _waitingRetry++;
        try
        {
            var wait = record.NextAttemptAt!.Value - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, _shutdown.Token);
            }
        }
        catch (OperationCanceledException)
        {
            _waitingRetry--;
            _abandonedPending = true;
            return;
        }

        _waitingRetry--;
        _due.Enqueue(record);
        Pump();
    }

    /// <summary>Waits until a send may go: the endpoint sends, its circuit lets this attempt through (closed, or
    /// this is the probe), and its rate limit has a token. False when it stopped sending (paused, disabled,
    /// deleted, deactivating) instead.</summary>
    private async Task<bool> WaitForTurnAsync(long sequence)
    {
        while (true)
        {
            if (_deactivating || !Sending || state.State.Definition is not { } definition)
            {
                return false;
            }

            var now = time.GetUtcNow();
            var retryAt = _breaker.TryAcquire(now);
            if (retryAt is null)
            {
                if (_breaker.State == CircuitState.HalfOpen)
                {
                    _probe = sequence;
                }

                var wait = _bucket.Reserve(definition.RateLimit);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, _shutdown.Token);
                }

                return !_deactivating && Sending;
            }

            var changed = (_gateChanged ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            if (retryAt == DateTimeOffset.MaxValue)
            {
                await changed.WaitAsync(_shutdown.Token);
            }
            else
            {
                try
                {
                    await changed.WaitAsync(retryAt.Value - now, time, _shutdown.Token);
                }
                catch (TimeoutException)
                {
                    // The probe is due: the loop takes it.
                }
            }
        }
    }

    private void GateChanged()
    {
        // Memory mode's bound depends on whether the endpoint is failing or sending: waiting callers check again.
        ReleaseWaiters();
        if (_gateChanged is { } changed)
        {
            _gateChanged = null;
            changed.TrySetResult();
        }
    }

    /// <summary>Feeds an attempt's outcome to the circuit breaker and disables the endpoint on 410 Gone or when it
    /// has done nothing but fail for its disable window.</summary>
    private async Task TrackHealthAsync(EndpointDefinition definition, DeliveryRecord record, DeliveryAttempt outcome)
    {
        var now = time.GetUtcNow();
        _probe = null;
        var changed = RetryDecision.IsSuccess(outcome)
            ? _breaker.OnSuccess()
            : _breaker.OnFailure(definition.CircuitBreaker ?? CircuitBreakerPolicy.Default, now);
        string? disable = null;
        if (RetryDecision.IsGone(outcome))
        {
            disable = $"HTTP 410 Gone from {record.Url} at {outcome.Time:u}";
        }
        else if (_breaker.FailingSince is { } since && (definition.DisableAfter ?? _options.DisableAfter) is var window
            && window > TimeSpan.Zero && now - since >= window)
        {
            disable = $"every attempt failed since {since:u} (disable_after {window:c}); last: {_lastError}";
        }

        if (disable is not null && state.State.DisabledReason is null)
        {
            state.State.DisabledReason = disable;
            LogDisabled(logger, Id, disable);
            changed = true;
        }

        if (changed)
        {
            state.State.FailingSince = _breaker.FailingSince;
            state.State.ConsecutiveFailures = _breaker.ConsecutiveFailures;
            state.State.CircuitOpen = _breaker.State != CircuitState.Closed;
            try
            {
                await WriteStateAsync(CancellationToken.None);
            }
            catch (Exception ex) when (disable is null)
            {
                // Only the failure run's persistence suffers: a new activation would start counting afresh.
                LogHealthNotSaved(logger, ex, Id);
            }
        }

        GateChanged();
    }

    private async Task WriteStateAsync(CancellationToken cancellationToken)
    {
        await _stateWrite.WaitAsync(cancellationToken);
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        finally
        {
            _stateWrite.Release();
        }
    }

    /// <summary>Records that every delivery numbered so far is finished (called only when idle).</summary>
    private async Task SaveSettledMarkAsync()
    {
        if (_abandonedPending || state.State.SettledBelow >= _nextSequence || state.State.Definition is null)
        {
            return;
        }

        try
        {
            state.State.SettledBelow = _nextSequence;
            _settledMarkSavedAt = time.GetTimestamp();
            await WriteStateAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Only an optimisation: recovery then starts reading from an older mark.
            LogSettledMarkFailed(logger, ex, Id);
        }
    }

    private async Task SettleAsync(DeliveryRecord record, DeliveryStatus status)
    {
        _unsettled++;
        try
        {
            await FinishAsync(record, status, null);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Deactivating with the database away: the delivery stays pending and is sent again later.
        }
        catch (Exception ex)
        {
            LogDeliveryCrashed(logger, ex, Id, record.Id);
        }
        finally
        {
            Settled();
        }
    }

    private void Settled()
    {
        if (--_unsettled == 0)
        {
            _drained?.TrySetResult();
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

        await PersistAsync(record with { Status = status, NextAttemptAt = null });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} disabled: {Reason}; it keeps deliveries and sends nothing until resumed")]
    private static partial void LogDisabled(ILogger logger, string endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: could not save its circuit breaker state")]
    private static partial void LogHealthNotSaved(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: reading pending deliveries failed; retrying")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {EndpointId}: could not save its settled mark; recovery will read from an older one")]
    private static partial void LogSettledMarkFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: could not update its recovery reminder")]
    private static partial void LogReminderFailed(ILogger logger, Exception exception, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: recording delivery {DeliveryId} waits for the database: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string endpointId, string deliveryId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId}: delivery {DeliveryId} failed after {Attempts} attempts: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string endpointId, string deliveryId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint {EndpointId}: delivery {DeliveryId} stopped unexpectedly")]
    private static partial void LogDeliveryCrashed(ILogger logger, Exception exception, string endpointId, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} deactivating ({Reason}) with {Queued} queued and {InFlight} in-flight deliveries")]
    private static partial void LogDeactivatingWithWork(ILogger logger, string endpointId, int queued, int inFlight, string reason);
}
