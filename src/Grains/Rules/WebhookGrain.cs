using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Webhooks.Catalog;
using Webhooks.Conditions;
using Webhooks.DeadLetters;
using Webhooks.Endpoints;
using Webhooks.Diagnostics;
using Webhooks.Events;
using Webhooks.Errors;
using Webhooks.Hosting;
using Webhooks.Resources;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>Holds one webhook rule, listens to the streams of the object types it covers, and turns each
/// matching event into one delivery per endpoint.</summary>
/// <remarks>Events arrive a stream batch at a time; the deliveries of a batch go to each endpoint in one call.
/// User code (condition, templates) failing for an event is recorded on this webhook and ends that event
/// here; an endpoint that stays full, or any other failure, makes <see cref="OnNextAsync"/> throw, so that the
/// stream redelivers the batch later (events already handed on are skipped by id, here and at the endpoint),
/// until an event has failed the same way long enough to be set aside as a dead letter.
/// <see cref="WebhookEventProcessor"/> processes events, <see cref="WebhookProgram"/> decides what an event becomes,
/// <see cref="EndpointRoutes"/> addresses and hands it on, <see cref="WebhookDeadLetters"/> and <see cref="IDeadLetterGrain"/> keep the dead letters,
/// <see cref="StreamSubscriptions"/> keeps the subscriptions in line with the definition.</remarks>
[GrainType("webhook")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync; grains have no Dispose.")]
internal sealed partial class WebhookGrain : Grain, IWebhookGrain, IAsyncBatchObserver<ObjectEvent>
{
    private const string Kind = "webhook";
    private static readonly TimeSpan StatsSaveInterval = TimeSpan.FromMinutes(1);

    private readonly IPersistentState<WebhookGrainState> _state;
    private readonly TemplateCompiler _templates;
    private readonly ConditionOptions _conditionOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WebhookStatsRecorder _stats;
    private readonly EndpointRoutes _routes;
    private readonly StreamSubscriptions _subscriptions;
    private readonly WebhookEventProcessor _events;
    private readonly WebhookDeadLetters _deadLetters;
    private WebhookProgram? _program;

    public WebhookGrain(
        [PersistentState("webhook", StorageNames.Definitions)] IPersistentState<WebhookGrainState> state,
        TemplateCompiler templates,
        IOptions<ConditionOptions> conditionOptions,
        IOptions<PoisonEventOptions> poisonOptions,
        WebhooksMetrics metrics,
        TimeProvider time,
        ILogger<WebhookGrain> logger)
    {
        (_state, _templates, _conditionOptions, _time, _logger) = (state, templates, conditionOptions.Value, time, logger);
        _stats = new WebhookStatsRecorder(Id, time, metrics, logger);
        _routes = new EndpointRoutes(GrainFactory, templates, _stats);
        _subscriptions = new StreamSubscriptions(this.GetStreamProvider(EventStreams.Provider), this, state,
            GrainFactory.GetGrain<IAllTypesListenersGrain>(IAllTypesListenersGrain.Key), Id);
        _deadLetters = new WebhookDeadLetters(Id, GrainFactory, state);
        _events = new WebhookEventProcessor(Id, templates, _routes, _stats, new PoisonEventTracker(poisonOptions.Value, time), _deadLetters.SetAsideAsync, time);
    }

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.Stats is { } saved)
        {
            _stats.Restore(saved);
        }

        this.RegisterGrainTimer(SaveStatsAsync, new GrainTimerCreationOptions(StatsSaveInterval, StatsSaveInterval) { KeepAlive = false });
        if (_state.State.Definition is { } definition)
        {
            try
            {
                _program = WebhookProgram.Compile(definition, _templates, _conditionOptions);
            }
            catch (InvalidFieldException ex)
            {
                // Stricter limits since it was stored: keep it, but deliver nothing until it is updated.
                _stats.Error(ex.Message);
            }
        }

        await _subscriptions.ReconcileAsync(DesiredStreams());
        if (_state.State is { Definition: { } stored, AttachedToEndpoints: false })
        {
            await AttachStoredAsync(stored, cancellationToken);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _program?.Dispose();
        await SaveStatsAsync(cancellationToken);
    }

    public async Task<WebhookInfo> CreateAsync(WebhookDefinition definition, CancellationToken cancellationToken)
    {
        ResourceIds.Validate(Id, "webhook_id");
        if (_state.State.Definition is not null)
        {
            throw new ResourceExistsException(Kind, Id);
        }

        var normalized = WebhookValidator.Normalize(definition, _templates, _conditionOptions);
        // Compiled before anything is stored: a definition that cannot run is refused whole, never kept half-way.
        var program = WebhookProgram.Compile(normalized, _templates, _conditionOptions);
        await _routes.AttachAsync(Id, normalized.EndpointIds, cancellationToken);
        var now = _time.GetUtcNow();
        _state.State.Definition = normalized;
        _state.State.AttachedToEndpoints = true;
        _state.State.CreatedAt = now;
        _state.State.UpdatedAt = now;
        _state.State.ActiveSince = now;
        await _state.WriteStateAsync(cancellationToken);
        await ApplyAsync(program);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Webhooks).AddAsync(Id, cancellationToken);
        return Info();
    }

    public Task<WebhookInfo> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Info());

    public async Task<WebhookInfo> UpdateAsync(WebhookDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken)
    {
        var current = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var normalized = WebhookValidator.Normalize(WebhookFields.Apply(current, changes, fields), _templates, _conditionOptions);
        var program = WebhookProgram.Compile(normalized, _templates, _conditionOptions);
        if (fields.Contains(WebhookField.EndpointIds))
        {
            await _routes.AttachAsync(Id, normalized.EndpointIds, cancellationToken);
        }

        _state.State.Definition = normalized;
        _state.State.UpdatedAt = _time.GetUtcNow();
        if ((normalized.Enabled && !current.Enabled)
            || !normalized.ObjectTypes.SequenceEqual(current.ObjectTypes)
            || !normalized.Events.SequenceEqual(current.Events))
        {
            _state.State.ActiveSince = _state.State.UpdatedAt;
        }

        await _state.WriteStateAsync(cancellationToken);
        await ApplyAsync(program);
        await DetachAsync(current.EndpointIds.Except(normalized.EndpointIds, StringComparer.Ordinal));
        return Info();
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        var current = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        _program?.Dispose();
        _program = null;
        await _subscriptions.ReconcileAsync([]);
        await _deadLetters.ClearAsync();
        await _state.ClearStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Webhooks).RemoveAsync(Id, cancellationToken);
        _routes.Clear();
        _stats.Reset();
        await DetachAsync(current.EndpointIds);
    }

    public async Task RemoveEndpointAsync(string endpointId, CancellationToken cancellationToken)
    {
        if (_state.State.Definition is not { } current || !current.EndpointIds.Contains(endpointId, StringComparer.Ordinal))
        {
            return;
        }

        var remaining = current.EndpointIds.Remove(endpointId);
        var changed = current with { EndpointIds = remaining, Enabled = current.Enabled && !remaining.IsEmpty };
        _state.State.Definition = changed;
        _state.State.UpdatedAt = _time.GetUtcNow();
        await _state.WriteStateAsync(cancellationToken);
        if (current.Enabled && !changed.Enabled)
        {
            _stats.Error($"disabled: endpoint '{endpointId}', its only one, was deleted");
            LogDisabledWithoutEndpoints(_logger, Id, endpointId);
        }

        if (_program is not null)
        {
            // It compiled in this activation, under the same limits: it compiles again.
            await ApplyAsync(WebhookProgram.Compile(changed, _templates, _conditionOptions));
        }
    }

    public Task OnNextAsync(IList<SequentialItem<ObjectEvent>> items) =>
        _program is { Definition.Enabled: true } program
            ? _events.OnBatchAsync(program, _state.State.ActiveSince, items)
            : Task.CompletedTask;

    public async Task<DeadLetterPage> ListDeadLettersAsync(int pageSize, string after, CancellationToken cancellationToken)
    {
        _ = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        return await _deadLetters.ListAsync(pageSize, after);
    }

    public async Task<RequeueResult> RequeueDeadLettersAsync(ImmutableArray<string> eventIds, CancellationToken cancellationToken)
    {
        _ = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var program = _program ?? throw new FailedPreconditionException($"webhook '{Id}' cannot run as stored ({_stats.Current.LastError}); update it first");
        if (!program.Definition.Enabled)
        {
            throw new FailedPreconditionException($"webhook '{Id}' is disabled; enable it before requeueing its dead letters");
        }

        return await _deadLetters.RequeueAsync(program, _events, eventIds);
    }

    public async Task<DiscardResult> DiscardDeadLettersAsync(ImmutableArray<string> eventIds, CancellationToken cancellationToken)
    {
        _ = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        return await _deadLetters.DiscardAsync(eventIds);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(_logger, ex, Id);
        return Task.CompletedTask;
    }

    /// <summary>Saves the counts when they changed: a new activation (after a move, a restart) continues from them.</summary>
    private async Task SaveStatsAsync(CancellationToken cancellationToken)
    {
        if (!_stats.Unsaved || _state.State.Definition is null)
        {
            return;
        }

        _state.State.Stats = _stats.Current;
        _stats.Saved();
        await _state.WriteStateAsync(cancellationToken);
    }

    private async Task DetachAsync(IEnumerable<string> endpointIds)
    {
        if (await _routes.DetachAsync(Id, endpointIds) is { } failure)
        {
            LogUsersNotUpdated(_logger, failure, Id);
        }
    }

    /// <summary>Attaches a webhook stored before endpoints kept their users; tried again at the next activation if an
    /// endpoint cannot be reached now.</summary>
    private async Task AttachStoredAsync(WebhookDefinition stored, CancellationToken cancellationToken)
    {
        try
        {
            await _routes.AttachAsync(Id, stored.EndpointIds, cancellationToken, skipMissing: true);
            _state.State.AttachedToEndpoints = true;
            await _state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUsersNotUpdated(_logger, ex, Id);
        }
    }

    private async Task ApplyAsync(WebhookProgram program)
    {
        _program?.Dispose();
        _program = program;
        await _subscriptions.ReconcileAsync(DesiredStreams());
    }

    private ImmutableArray<string> DesiredStreams() =>
        _program is { Definition.Enabled: true } program ? program.Types.StreamKeys : [];

    private WebhookInfo Info() => new()
    {
        Id = Id,
        Definition = _state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id),
        CreatedAt = _state.State.CreatedAt,
        UpdatedAt = _state.State.UpdatedAt,
        Stats = _stats.Current,
        DeadLetters = _state.State.DeadLetters,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} disabled: endpoint {EndpointId}, its only one, was deleted")]
    private static partial void LogDisabledWithoutEndpoints(ILogger logger, string webhookId, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: could not update its endpoints' lists of the webhooks that use them (they check them before acting on them)")]
    private static partial void LogUsersNotUpdated(ILogger logger, Exception exception, string webhookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: stream error")]
    private static partial void LogStreamError(ILogger logger, Exception exception, string webhookId);
}
