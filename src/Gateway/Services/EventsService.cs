using System.Diagnostics;
using System.Collections.Immutable;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Gateway.Auth;
using Microsoft.Extensions.Options;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Gateway.Hosting;
using Webhooks.Gateway.Mapping;
using Webhooks.Api.V1;
using ObjectEvent = Webhooks.Events.ObjectEvent;

namespace Webhooks.Gateway.Services;

internal sealed class EventsService(IGrainFactory grains, IOptions<GatewayOptions> options, TimeProvider time) : Api.V1.Events.EventsBase
{
    [Authorize(Policy = ApiRoles.PublishPolicy)]
    public override async Task<PublishResponse> Publish(PublishRequest request, ServerCallContext context)
    {
        using var activity = StartPublish(1);
        var e = EventMapping.ToDomain(request.Event, "event", time.GetUtcNow(), options.Value.MaxEventBytes, activity?.Id);
        await grains.GetGrain<IObjectTypeGrain>(e.ObjectType).PublishAsync([e], context.CancellationToken);
        return new PublishResponse { EventId = e.EventId };
    }

    [Authorize(Policy = ApiRoles.PublishPolicy)]
    public override async Task<PublishBatchResponse> PublishBatch(PublishBatchRequest request, ServerCallContext context)
    {
        var max = options.Value.MaxBatchEvents;
        if (request.Events.Count > max)
        {
            throw new InvalidFieldException("events", $"at most {max} events per batch (got {request.Events.Count})");
        }

        using var activity = StartPublish(request.Events.Count);
        var now = time.GetUtcNow();
        var events = new ObjectEvent[request.Events.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = EventMapping.ToDomain(request.Events[i], $"events[{i}]", now, options.Value.MaxEventBytes, activity?.Id);
        }

        // One call per object type keeps each type's events in request order.
        await Task.WhenAll(events
            .GroupBy(e => e.ObjectType, StringComparer.Ordinal)
            .Select(group => grains.GetGrain<IObjectTypeGrain>(group.Key).PublishAsync(group.ToImmutableArray(), context.CancellationToken)));

        var response = new PublishBatchResponse();
        response.EventIds.AddRange(events.Select(e => e.EventId));
        return response;
    }

    /// <summary>The span its events' traces continue from: webhook evaluations, then each attempt.</summary>
    private static Activity? StartPublish(int events) =>
        GatewayTelemetry.Source.StartActivity("webhooks.publish")?.SetTag("webhooks.events", events);
}
