using System.Collections.Immutable;
using Fluid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using Webhooks.Catalog;
using Webhooks.Conditions;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Hosting;
using Webhooks.Resources;
using Webhooks.Templates;

namespace Webhooks.Webhooks;

/// <summary>Holds one webhook rule, listens to the streams of the object types it covers, and turns each
/// matching event into one delivery per endpoint.</summary>
/// <remarks>Events arrive a stream batch at a time; the deliveries of a batch go to each endpoint in one call.
/// User code (condition, templates) failing for an event is recorded on this webhook and ends that event
/// here; only an endpoint that stays full makes <see cref="OnNextAsync"/> throw, so that the stream redelivers
/// the batch later (events already handed on are skipped by id, here and at the endpoint).</remarks>
[GrainType("webhook")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in OnDeactivateAsync; grains have no Dispose.")]
internal sealed partial class WebhookGrain(
    [PersistentState("webhook", StorageNames.Definitions)] IPersistentState<WebhookState> state,
    TemplateCompiler templates,
    IOptions<ConditionOptions> conditionOptions,
    TimeProvider time,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IAsyncBatchObserver<ObjectEvent>
{
    // Covers the stream redelivering the last few batches, which is all it can redeliver.
    private const int DuplicateWindow = 4096;
    private const string Kind = "webhook";

    private readonly RecentIdSet _processed = new(DuplicateWindow);
    private readonly Dictionary<string, CachedRoute> _routes = new(StringComparer.Ordinal);
    private WebhookProgram? _program;
    private WebhookStats _stats = new();

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Definition is { } definition)
        {
            try
            {
                _program = new WebhookProgram(definition, templates, conditionOptions.Value);
            }
            catch (Exception ex) when (ex is InvalidFieldException)
            {
                // Stricter limits since it was stored: keep it, but deliver nothing until it is updated.
                RecordError(ex.Message, isCondition: false);
            }
        }

        await ReconcileSubscriptionsAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _program?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<WebhookInfo> CreateAsync(WebhookDefinition definition, CancellationToken cancellationToken)
    {
        ResourceIds.Validate(Id, "webhook_id");
        if (state.State.Definition is not null)
        {
            throw new ResourceExistsException(Kind, Id);
        }

        var normalized = WebhookValidator.Normalize(definition, templates, conditionOptions.Value);
        await CheckEndpointsExistAsync(normalized.EndpointIds, cancellationToken);
        var now = time.GetUtcNow();
        state.State.Definition = normalized;
        state.State.CreatedAt = now;
        state.State.UpdatedAt = now;
        state.State.ActiveSince = now;
        await state.WriteStateAsync(cancellationToken);
        await ApplyAsync(normalized);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Webhooks).AddAsync(Id, cancellationToken);
        return Info();
    }

    public Task<WebhookInfo> GetAsync(CancellationToken cancellationToken) =>
        state.State.Definition is null ? throw new ResourceNotFoundException(Kind, Id) : Task.FromResult(Info());

    public async Task<WebhookInfo> UpdateAsync(WebhookDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken)
    {
        var current = state.State.Definition ?? throw new ResourceNotFoundException(Kind, Id);
        var merged = current;
        foreach (var field in fields)
        {
            merged = field switch
            {
                WebhookField.Name => merged with { Name = changes.Name },
                WebhookField.Enabled => merged with { Enabled = changes.Enabled },
                WebhookField.ObjectTypes => merged with { ObjectTypes = changes.ObjectTypes },
                WebhookField.Events => merged with { Events = changes.Events },
                WebhookField.Condition => merged with { Condition = changes.Condition },
                WebhookField.HttpMethod => merged with { HttpMethod = changes.HttpMethod },
                WebhookField.HttpContentType => merged with { HttpContentType = changes.HttpContentType },
                WebhookField.AdditionalHeaders => merged with { AdditionalHeaders = changes.AdditionalHeaders },
                WebhookField.BodyTemplate => merged with { BodyTemplate = changes.BodyTemplate },
                WebhookField.EndpointIds => merged with { EndpointIds = changes.EndpointIds },
                WebhookField.Description => merged with { Description = changes.Description },
                _ => throw new InvalidFieldException("update_mask", $"'{field}' is not an updatable webhook field"),
            };
        }

        var normalized = WebhookValidator.Normalize(merged, templates, conditionOptions.Value);
        if (fields.Contains(WebhookField.EndpointIds))
        {
            await CheckEndpointsExistAsync(normalized.EndpointIds, cancellationToken);
        }

        state.State.Definition = normalized;
        state.State.UpdatedAt = time.GetUtcNow();
        if ((normalized.Enabled && !current.Enabled)
            || !normalized.ObjectTypes.SequenceEqual(current.ObjectTypes)
            || !normalized.Events.SequenceEqual(current.Events))
        {
            state.State.ActiveSince = state.State.UpdatedAt;
        }

        await state.WriteStateAsync(cancellationToken);
        await ApplyAsync(normalized);
        return Info();
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        if (state.State.Definition is null)
        {
            throw new ResourceNotFoundException(Kind, Id);
        }

        _program?.Dispose();
        _program = null;
        await ReconcileSubscriptionsAsync();
        await state.ClearStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.Webhooks).RemoveAsync(Id, cancellationToken);
        _routes.Clear();
        _stats = new WebhookStats();
    }

    public async Task OnNextAsync(IList<SequentialItem<ObjectEvent>> items)
    {
        var program = _program;
        if (program is null || !program.Definition.Enabled)
        {
            return;
        }

        var endpointIds = program.Definition.EndpointIds;
        var pending = new List<PendingDelivery>(items.Count);
        var handed = new List<string>(items.Count);
        foreach (var sequential in items)
        {
            var item = sequential.Item;
            if (item.AcceptedAt < state.State.ActiveSince || _processed.Contains(item.EventId)
                || !program.Events.Matches(item.Event) || !program.Types.Matches(item.ObjectType))
            {
                continue;
            }

            if (Prepare(program, item) is { } delivery)
            {
                pending.Add(delivery);
                handed.Add(item.EventId);
            }
        }

        if (pending.Count > 0)
        {
            if (endpointIds.Length == 1)
            {
                await EnqueueAsync(endpointIds[0], pending);
            }
            else
            {
                var sends = new Task[endpointIds.Length];
                for (var i = 0; i < endpointIds.Length; i++)
                {
                    sends[i] = EnqueueAsync(endpointIds[i], pending);
                }

                await Task.WhenAll(sends);
            }
        }

        // Remembered only once every endpoint has them: a batch that failed half-way comes again.
        foreach (var eventId in handed)
        {
            _processed.Add(eventId);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(logger, ex, Id);
        return Task.CompletedTask;
    }

    /// <summary>Evaluates the condition and renders the request; null when the event ends here.</summary>
    private PendingDelivery? Prepare(WebhookProgram program, ObjectEvent item)
    {
        var context = new EventContext(item);
        if (program.Condition is { } condition)
        {
            bool matched;
            try
            {
                matched = condition.Evaluate(context);
            }
            catch (ConditionException ex)
            {
                _stats = _stats with { ConditionErrors = _stats.ConditionErrors + 1 };
                RecordError($"event {item.EventId}: {ex.Message}", isCondition: true);
                _processed.Add(item.EventId);
                return null;
            }

            if (!matched)
            {
                return null;
            }
        }

        _stats = _stats with { EventsMatched = _stats.EventsMatched + 1 };
        RenderedRequest rendered;
        try
        {
            rendered = program.Render(context, templates);
        }
        catch (TemplateException ex)
        {
            RecordTemplateError(item.EventId, ex.Message);
            _processed.Add(item.EventId);
            return null;
        }

        return new PendingDelivery(new DeliveryRequest
        {
            WebhookId = Id,
            EventId = item.EventId,
            ObjectType = item.ObjectType,
            Event = item.Event,
            HttpMethod = program.Definition.HttpMethod,
            ContentType = program.Definition.HttpContentType,
            Headers = rendered.Headers,
            Body = rendered.Body,
        }, context);
    }

    private async Task EnqueueAsync(string endpointId, List<PendingDelivery> pending)
    {
        var endpoint = GrainFactory.GetGrain<IEndpointGrain>(endpointId);
        // The first call of an activation learns the endpoint's URL; a changed URL costs one more round.
        for (var round = 0; round < 3; round++)
        {
            var cached = _routes.GetValueOrDefault(endpointId);
            var requests = ImmutableArray.CreateBuilder<DeliveryRequest>(pending.Count);
            foreach (var (request, context) in pending)
            {
                if (cached?.Template is { } template)
                {
                    try
                    {
                        requests.Add(request with { Url = RenderUrl(template, context), UrlVersion = cached.Route.UrlVersion });
                    }
                    catch (TemplateException ex)
                    {
                        RecordTemplateError(request.EventId, $"endpoint {endpointId}: {ex.Message}");
                    }
                }
                else
                {
                    requests.Add(request with { UrlVersion = cached?.Route.UrlVersion ?? -1 });
                }
            }

            EnqueueResult result;
            try
            {
                result = await endpoint.EnqueueAsync(requests.ToImmutable());
            }
            catch (ResourceNotFoundException)
            {
                RecordError($"endpoint '{endpointId}' does not exist", isCondition: false);
                return;
            }

            switch (result.Outcome)
            {
                case EnqueueOutcome.Accepted:
                    _stats = _stats with { DeliveriesCreated = _stats.DeliveriesCreated + result.Created };
                    return;
                case EnqueueOutcome.StaleRoute when result.Route is { } route:
                    _routes[endpointId] = new CachedRoute(route, route.IsTemplate ? templates.Compile(route.Url, "endpoint.url") : null);
                    break;
                default:
                    throw new InvalidOperationException($"endpoint {endpointId} answered {result.Outcome} without a route");
            }
        }

        throw new EndpointBusyException($"endpoint {endpointId} kept changing its URL; the events will be redelivered");
    }

    private string RenderUrl(IFluidTemplate template, EventContext context)
    {
        var url = templates.Render(template, context.TemplateModel, "URL").Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new TemplateException($"URL template rendered '{url}', which is not an absolute http(s) URL");
        }

        return url;
    }

    private async Task CheckEndpointsExistAsync(ImmutableArray<string> endpointIds, CancellationToken cancellationToken)
    {
        foreach (var id in endpointIds)
        {
            try
            {
                await GrainFactory.GetGrain<IEndpointGrain>(id).GetAsync(cancellationToken);
            }
            catch (ResourceNotFoundException)
            {
                throw new InvalidFieldException("webhook.endpoint_ids", $"endpoint '{id}' does not exist");
            }
        }
    }

    private async Task ApplyAsync(WebhookDefinition definition)
    {
        var program = new WebhookProgram(definition, templates, conditionOptions.Value);
        _program?.Dispose();
        _program = program;
        _routes.Clear();
        await ReconcileSubscriptionsAsync();
    }

    /// <summary>Makes the stream subscriptions match the definition: exactly one per stream it needs.</summary>
    private async Task ReconcileSubscriptionsAsync()
    {
        var desired = _program is { Definition.Enabled: true } program ? program.Types.StreamKeys : [];
        var provider = this.GetStreamProvider(EventStreams.Provider);
        foreach (var key in state.State.SubscribedStreams.Union(desired, StringComparer.Ordinal))
        {
            var stream = provider.GetStream<ObjectEvent>(StreamId.Create(EventStreams.Namespace, key));
            var handles = await stream.GetAllSubscriptionHandles();
            var keep = desired.Contains(key);
            for (var i = 0; i < handles.Count; i++)
            {
                if (keep && i == 0)
                {
                    await handles[i].ResumeAsync(this);
                }
                else
                {
                    await handles[i].UnsubscribeAsync();
                }
            }

            if (keep && handles.Count == 0)
            {
                await stream.SubscribeAsync(this);
            }
        }

        if (!state.State.SubscribedStreams.SequenceEqual(desired) && state.State.Definition is not null)
        {
            state.State.SubscribedStreams = desired;
            await state.WriteStateAsync();
        }
    }

    private WebhookInfo Info() => new()
    {
        Id = Id,
        Definition = state.State.Definition!,
        CreatedAt = state.State.CreatedAt,
        UpdatedAt = state.State.UpdatedAt,
        Stats = _stats,
    };

    private void RecordTemplateError(string eventId, string message)
    {
        _stats = _stats with { TemplateErrors = _stats.TemplateErrors + 1 };
        RecordError($"event {eventId}: {message}", isCondition: false);
    }

    private void RecordError(string message, bool isCondition)
    {
        _stats = _stats with { LastError = message, LastErrorAt = time.GetUtcNow() };
        if (isCondition)
        {
            LogConditionFailed(logger, Id, message);
        }
        else
        {
            LogWebhookError(logger, Id, message);
        }
    }

    private sealed record CachedRoute(EndpointRoute Route, IFluidTemplate? Template);

    private readonly record struct PendingDelivery(DeliveryRequest Request, EventContext Context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: condition failed: {Error}")]
    private static partial void LogConditionFailed(ILogger logger, string webhookId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: {Error}")]
    private static partial void LogWebhookError(ILogger logger, string webhookId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: stream error")]
    private static partial void LogStreamError(ILogger logger, Exception exception, string webhookId);
}
