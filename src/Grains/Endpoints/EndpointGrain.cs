using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webhooks.Catalog;
using Webhooks.Deliveries;
using Webhooks.DeliveryLog;
using Webhooks.Diagnostics;
using Webhooks.Endpoints.Queue;
using Webhooks.Endpoints.Sending;
using Webhooks.Endpoints.Watching;
using Webhooks.Errors;
using Webhooks.Hosting;
using Webhooks.Placement;
using Webhooks.Resources;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>Owns one endpoint: its definition, and the FIFO queue of its deliveries, of which at most max_in_flight
/// are being sent at once. In memory mode callers wait while the queue is full (backpressure); with a durable store
/// the queue is the store's pending deliveries, of which a bounded window is held in memory and refilled in order,
/// and which a new activation (after a crash, a move or idle collection) reads back.</summary>
/// <remarks>The activation and its API; the work is done by plain classes it owns and uses one turn at a time:
/// <see cref="DeliveryAdmission"/> takes new deliveries, <see cref="DeliveryQueue"/> holds them and decides what
/// goes next, <see cref="SendGate"/> decides when a send may go, <see cref="DeliveryRunner"/> makes the attempts,
/// <see cref="ManualDeliveries"/> does what operators do by hand, and <see cref="EndpointRecovery"/> brings the
/// endpoint back after its silo is lost. docs/architecture.md has the whole picture.</remarks>
[GrainType("endpoint")]
[RendezvousPlacement]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync; grains have no Dispose.")]
internal sealed partial class EndpointGrain : Grain, IEndpointGrain, IRemindable
{
    private const string Kind = "endpoint";
    private const int DeleteBatchSize = 5_000;
    private static readonly TimeSpan KeepAliveWhileBusy = TimeSpan.FromMinutes(30);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly EndpointStateWriter _endpoint;
    private readonly EndpointStats _stats;
    private readonly SendGate _gate;
    private readonly EndpointRecovery _recovery;
    private readonly DeliveryRunner _runner;
    private readonly DeliveryQueue _queue;
    private readonly DeliveryAdmission _admission;
    private readonly ManualDeliveries _manual;
    private readonly EndpointUsers _users;
    private readonly EndpointStatusView _status;
    private readonly IDeliveryStore _store;
    private readonly EndpointValidator _validator;
    private readonly TimeProvider _time;
    private readonly RendezvousRebalancer _rebalancer;
    private readonly SiloDeliveryLoad _load;
    private readonly ILogger _logger;
    private IDisposable? _loadRegistration;

    public EndpointGrain(
        [PersistentState("endpoint", StorageNames.Definitions)] IPersistentState<EndpointGrainState> state,
        IEndpointQueueMode mode,
        DeliverySender sender,
        IDeliveryStore store,
        EndpointValidator validator,
        WebhooksMetrics metrics,
        IOptions<DeliveryOptions> options,
        DeliveryClock clock,
        RendezvousRebalancer rebalancer,
        SiloDeliveryLoad load,
        EndpointStateFeed feed,
        ILogger<EndpointGrain> logger)
    {
        var id = this.GetPrimaryKeyString();
        var settings = options.Value;
        (_store, _validator, _time, _rebalancer, _load, _logger) = (store, validator, clock.Time, rebalancer, load, logger);
        _endpoint = new EndpointStateWriter(state);
        _stats = new EndpointStats(metrics);
        _gate = new SendGate(id, _endpoint, settings.DisableAfter, _time, logger);
        _recovery = mode.CreateRecovery(this, id, _endpoint, logger);
        var lanes = new DeliveryLanes();
        var keys = new RecentDeliveryKeys(settings.DuplicateWindow);
        _runner = new DeliveryRunner(id, _endpoint, lanes, _gate, _stats, _recovery, sender, store, settings, _time, logger, _shutdown.Token);
        _queue = new DeliveryQueue(
            _endpoint, lanes, new BacklogWindow(id, settings.QueueCapacity, store, lanes, keys, logger, settings.MaxHeldBytes), keys, _gate, _runner, _recovery, _time,
            readBefore: () => _admission!.ReadBefore,
            keepAlive: () => DelayDeactivation(KeepAliveWhileBusy),
            _shutdown.Token);
        _admission = mode.CreateAdmission(id, _endpoint, _queue, _gate, _recovery);
        _status = new EndpointStatusView(id, _endpoint, _queue, _admission, _gate, _stats, settings.QueueCapacity, _time, feed,
            (due, push) => this.RegisterGrainTimer(_ => push(), new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = false }));
        _manual = new ManualDeliveries(id, _endpoint, _queue, _runner, _stats, _recovery, store, clock, settings.MaxReplay);
        _users = new EndpointUsers(id, _endpoint, GrainFactory);

        // Memory admission's bound depends on whether the endpoint is getting through; a freed slot is room.
        _gate.Changed += _admission.ReleaseWaiters;
        _runner.SlotFreed += () =>
        {
            _admission.ReleaseWaiters();
            _queue.Pump();
        };
        _runner.RetryDue += _queue.Pump;
        _queue.Pumped += _status.Changed;
        _stats.Changed += _status.Changed;
        _gate.Changed += _status.Changed;
    }

    private string Id => this.GetPrimaryKeyString();

    private EndpointDefinition Definition => _endpoint.Definition ?? throw new ResourceNotFoundException(Kind, Id);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _endpoint.Restore();
        // Everything below the mark is finished: reading pending deliveries back starts there, not at the beginning.
        _queue.Window.SkipBelow(_endpoint.State.SettledBelow);
        _gate.Restore();
        // Picks up what an earlier activation left pending (a crash, a move, idle collection).
        _queue.Pump();
        _rebalancer.Register(this.GetGrainId());
        _loadRegistration = _load.Register(this, () => (_queue.Lanes.Queued, _queue.Lanes.InFlight));
        return Task.CompletedTask;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activating was the point: the reminder exists so that pending deliveries resume even when nothing else
        // calls this endpoint after its silo was lost.
        _recovery.ReminderFired();
        _queue.Pump();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _rebalancer.Unregister(this.GetGrainId());
        _loadRegistration?.Dispose();
        var lanes = _queue.Lanes;
        if (lanes.Held > 0)
        {
            LogDeactivatingWithWork(_logger, Id, lanes.Queued, lanes.InFlight, reason.Description);
        }

        // Let attempts already on the wire finish (bounded by the deactivation's own deadline); deliveries waiting
        // for a retry stop now (their schedule is stored; memory mode loses them).
        _gate.Stop();
        await _runner.DrainAsync(cancellationToken);
        await _shutdown.CancelAsync();
        _shutdown.Dispose();
        await _recovery.OnDeactivateAsync(
            idle: !_queue.HasWork && _runner.Unsettled == 0,
            wakeAgain: WakesAgainAfter(reason.ReasonCode));
        _endpoint.Dispose();
    }

    /// <summary>Pending work a deactivation leaves is taken over by a new activation at once, not at the recovery
    /// reminder: when the silo stops, when a silo that left held the directory entry (Orleans then deactivates with
    /// DirectoryFailure), whatever the reason, except a move (its target activates by itself) and memory pressure.</summary>
    internal static bool WakesAgainAfter(DeactivationReasonCode reason) =>
        reason is not (DeactivationReasonCode.Migrating or DeactivationReasonCode.HighMemoryPressure);

    public async Task<EndpointInfo> CreateAsync(EndpointDefinition definition, CancellationToken cancellationToken)
    {
        ResourceIds.Validate(Id, "endpoint_id");
        if (_endpoint.Definition is not null)
        {
            throw new ResourceExistsException(Kind, Id);
        }

        var normalized = _validator.Normalize(definition);
        var state = _endpoint.State;
        var now = _time.GetUtcNow();
        var generated = normalized.Secret != definition.Secret ? normalized.Secret : null;
        state.Definition = normalized;
        state.CreatedAt = now;
        state.UpdatedAt = now;
        state.Version++;
        state.UrlVersion++;
        await _endpoint.WriteAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints).AddAsync(Id, cancellationToken);
        return Info(generated);
    }

    public Task<EndpointInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Info());

    public Task<EndpointDefinition> ExportAsync(bool includeSecrets, CancellationToken cancellationToken) =>
        Task.FromResult(includeSecrets ? Definition : Info().Definition);

    public Task<EndpointRoute> GetRouteAsync(CancellationToken cancellationToken)
    {
        _ = Definition;
        return Task.FromResult(_endpoint.State.Route());
    }

    public async Task<EndpointInfo> UpdateAsync(EndpointDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken)
    {
        var current = Definition;
        var merged = EndpointFields.Apply(current, changes, fields);
        var normalized = _validator.Normalize(merged);
        var state = _endpoint.State;
        state.Definition = normalized;
        state.UpdatedAt = _time.GetUtcNow();
        state.Version++;
        if (normalized.Url != current.Url || normalized.TemplateLanguage != TemplateLanguages.ForStored(current.TemplateLanguage)
            || normalized.Kind != current.Kind || normalized.SlackChannel != current.SlackChannel
            || normalized.SlackUsername != current.SlackUsername || normalized.SlackIcon != current.SlackIcon)
        {
            // Webhooks address and shape requests by the route: this makes them fetch it again.
            state.UrlVersion++;
        }

        await _endpoint.WriteAsync(cancellationToken);
        _gate.Signal();
        _queue.Pump();
        return Info(normalized.Secret != merged.Secret ? normalized.Secret : null);
    }

    public async Task<EndpointInfo> RotateSecretAsync(string? secret, TimeSpan overlap, CancellationToken cancellationToken)
    {
        var rotated = EndpointSecrets.Rotate(Definition, secret, overlap, _time.GetUtcNow());
        var normalized = _validator.Normalize(rotated);
        var state = _endpoint.State;
        state.Definition = normalized;
        state.UpdatedAt = _time.GetUtcNow();
        state.Version++;
        await _endpoint.WriteAsync(cancellationToken);
        return Info(normalized.Secret != rotated.Secret ? normalized.Secret : null);
    }

    public async Task DeleteAsync(bool force, CancellationToken cancellationToken)
    {
        _ = Definition;
        await _users.DropStaleAsync(cancellationToken);
        // Read with no await before the tombstone below: a webhook attaching later finds the endpoint gone.
        var users = _users.Current;
        if (!force)
        {
            _users.ThrowIfUsed(users);
        }

        await _endpoint.DeleteAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Endpoints).RemoveAsync(Id, cancellationToken);
        while (_queue.Lanes.TryTake(out var abandoned))
        {
            await _runner.FinishAsync(abandoned, DeliveryStatus.Failed, "endpoint deleted");
        }

        // What only the store holds (beyond the in-memory window), in bounded statements.
        while (await _store.FailPendingAsync(Id, DeleteBatchSize, cancellationToken) == DeleteBatchSize)
        {
        }

        // As a later activation would: nothing below the tombstone's mark is read back.
        _queue.Window.SkipBelow(_endpoint.State.SettledBelow);
        _queue.Lanes.ForgetManual();
        // Also releases callers waiting for room: they see the endpoint is gone.
        _gate.Signal();
        await _recovery.StopAsync();
        // Last: a webhook busy handing this endpoint deliveries has been let go above.
        await _users.RemoveFromAsync(users, cancellationToken);
    }

    public Task<EndpointRoute> AttachWebhookAsync(string webhookId, CancellationToken cancellationToken) =>
        _users.AttachAsync(webhookId, cancellationToken);

    public Task DetachWebhookAsync(string webhookId, CancellationToken cancellationToken) =>
        _users.DetachAsync(webhookId, cancellationToken);

    public Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken) =>
        _admission.EnqueueAsync(requests, cancellationToken);

    public Task<DeliveryRecord> RedeliverAsync(string deliveryId, CancellationToken cancellationToken)
    {
        _ = Definition;
        return _manual.RedeliverAsync(deliveryId, cancellationToken);
    }

    public Task<ReplayResult> ReplayAsync(DateTimeOffset since, DeliveryStatus? status, CancellationToken cancellationToken)
    {
        _ = Definition;
        return _manual.ReplayAsync(since, status, cancellationToken);
    }

    public Task<DeliveryRecord> SendTestEventAsync(CancellationToken cancellationToken) =>
        _manual.SendTestEventAsync(Definition, cancellationToken);

    public Task PauseAsync(CancellationToken cancellationToken)
    {
        _ = Definition;
        return _gate.PauseAsync(cancellationToken);
    }

    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _ = Definition;
        await _gate.ResumeAsync(cancellationToken);
        _queue.Pump();
    }

    public Task WakeAsync()
    {
        // Activating read the pending deliveries back and started sending; nothing else to do.
        _queue.Pump();
        return Task.CompletedTask;
    }

    public Task<EndpointStatus> GetStatusAsync(CancellationToken cancellationToken) => Task.FromResult(_status.Read(Definition));

    private EndpointInfo Info(string? generatedSecret = null)
    {
        var definition = Definition;
        var state = _endpoint.State;
        return new EndpointInfo
        {
            Id = Id,
            Definition = definition with { Secret = null, PreviousSecret = null, Headers = EndpointSecrets.Mask(definition.Headers) },
            SecretSet = definition.Secret is not null,
            SecretFingerprint = EndpointSecrets.Fingerprint(definition.Secret),
            CreatedAt = state.CreatedAt,
            UpdatedAt = state.UpdatedAt,
            Version = state.Version,
            WebhookIds = [.. state.WebhookIds],
            GeneratedSecret = generatedSecret,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} deactivating ({Reason}) with {Queued} queued and {InFlight} in-flight deliveries")]
    private static partial void LogDeactivatingWithWork(ILogger logger, string endpointId, int queued, int inFlight, string reason);
}
