using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Gateway.Auth;
using Webhooks.Api.V1;
using Webhooks.Catalog;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Gateway.Mapping;
using Webhooks.Gateway.Watching;
using Webhooks.Paging;
using Webhooks.Resources;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Gateway.Services;

internal sealed class EndpointsService(IGrainFactory grains, EndpointStateWatchers watchers) : Api.V1.Endpoints.EndpointsBase
{
    private const int MaxWatchedIds = 1000;

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Endpoint> CreateEndpoint(CreateEndpointRequest request, ServerCallContext context)
    {
        var endpoint = request.Endpoint ?? throw new InvalidFieldException("endpoint", "is required");
        var id = request.EndpointId.Length > 0 ? request.EndpointId : endpoint.Id.Length > 0 ? endpoint.Id : ResourceIds.New("ep");
        ResourceIds.Validate(id, "endpoint_id");
        var info = await Grain(id).CreateAsync(EndpointMapping.ToDefinition(endpoint), context.CancellationToken);
        return EndpointMapping.ToProto(info);
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<Endpoint> GetEndpoint(GetEndpointRequest request, ServerCallContext context) =>
        EndpointMapping.ToProto(await Grain(RequestIds.Existing(request.Id, "id", "endpoint")).GetAsync(context.CancellationToken));

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Endpoint> UpdateEndpoint(UpdateEndpointRequest request, ServerCallContext context)
    {
        var endpoint = request.Endpoint ?? throw new InvalidFieldException("endpoint", "is required");
        var id = RequestIds.Existing(endpoint.Id, "endpoint.id", "endpoint");
        var info = await Grain(id).UpdateAsync(
            EndpointMapping.ToDefinition(endpoint), EndpointMapping.Fields(endpoint, request.UpdateMask), context.CancellationToken);
        return EndpointMapping.ToProto(info);
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Endpoint> RotateEndpointSecret(RotateEndpointSecretRequest request, ServerCallContext context)
    {
        var grain = Grain(RequestIds.Existing(request.EndpointId, "endpoint_id", "endpoint"));
        var info = await grain.RotateSecretAsync(request.Secret.Length > 0 ? request.Secret : null, EndpointMapping.Overlap(request.Overlap), context.CancellationToken);
        return EndpointMapping.ToProto(info);
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<Empty> DeleteEndpoint(DeleteEndpointRequest request, ServerCallContext context)
    {
        await Grain(RequestIds.Existing(request.Id, "id", "endpoint")).DeleteAsync(request.Force, context.CancellationToken);
        return new Empty();
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<ListEndpointsResponse> ListEndpoints(ListEndpointsRequest request, ServerCallContext context)
    {
        var page = await CatalogPaging.ReadAsync(grains, ICatalogGrain.Endpoints, request.PageSize, request.PageToken, context.CancellationToken);
        var infos = await Task.WhenAll(page.Ids.Select(id => Grain(id).GetAsync(context.CancellationToken)));
        var response = new ListEndpointsResponse { NextPageToken = CatalogPaging.NextToken(page) };
        response.Endpoints.AddRange(infos.Select(EndpointMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<EndpointState> GetEndpointState(GetEndpointStateRequest request, ServerCallContext context) =>
        EndpointMapping.ToProto(await Grain(RequestIds.Existing(request.EndpointId, "endpoint_id", "endpoint")).GetStatusAsync(context.CancellationToken));

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<EndpointState> PauseEndpoint(PauseEndpointRequest request, ServerCallContext context)
    {
        var grain = Grain(RequestIds.Existing(request.Id, "id", "endpoint"));
        await grain.PauseAsync(context.CancellationToken);
        return EndpointMapping.ToProto(await grain.GetStatusAsync(context.CancellationToken));
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<EndpointState> ResumeEndpoint(ResumeEndpointRequest request, ServerCallContext context)
    {
        var grain = Grain(RequestIds.Existing(request.Id, "id", "endpoint"));
        await grain.ResumeAsync(context.CancellationToken);
        return EndpointMapping.ToProto(await grain.GetStatusAsync(context.CancellationToken));
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<ListEndpointStatesResponse> ListEndpointStates(ListEndpointStatesRequest request, ServerCallContext context)
    {
        var page = await CatalogPaging.ReadAsync(grains, ICatalogGrain.Endpoints, request.PageSize, request.PageToken, context.CancellationToken);
        var states = await Task.WhenAll(page.Ids.Select(id => Grain(id).GetStatusAsync(context.CancellationToken)));
        var response = new ListEndpointStatesResponse { NextPageToken = CatalogPaging.NextToken(page) };
        response.EndpointStates.AddRange(states.Select(EndpointMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task WatchEndpointStates(WatchEndpointStatesRequest request, IServerStreamWriter<EndpointState> responseStream, ServerCallContext context)
    {
        if (request.EndpointIds.Count > MaxWatchedIds)
        {
            throw new InvalidFieldException("endpoint_ids", $"at most {MaxWatchedIds} (none watches every endpoint)");
        }

        var ids = request.EndpointIds.Count == 0 ? null : request.EndpointIds.Select(id => RequestIds.Existing(id, "endpoint_ids", "endpoint")).ToImmutableHashSet(StringComparer.Ordinal);
        var cancellation = context.CancellationToken;
        using var watcher = await watchers.WatchAsync(ids);
        try
        {
            // Subscribed first, so that no change falls between the first answer and the stream of changes.
            foreach (var state in await CurrentAsync(ids, cancellation))
            {
                await responseStream.WriteAsync(EndpointMapping.ToProto(state), cancellation);
            }

            while (true)
            {
                foreach (var state in await watcher.NextAsync(cancellation))
                {
                    await responseStream.WriteAsync(EndpointMapping.ToProto(state), cancellation);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The caller hung up.
        }
    }

    /// <summary>Each endpoint's state now: the latest this process has seen pushed, else read from the endpoint once
    /// (and kept, so that the next watcher does not ask it again).</summary>
    private async Task<List<EndpointStatus>> CurrentAsync(ImmutableHashSet<string>? ids, CancellationToken cancellation)
    {
        var wanted = ids?.ToList() ?? [];
        if (ids is null)
        {
            var token = "";
            do
            {
                var page = await CatalogPaging.ReadAsync(grains, ICatalogGrain.Endpoints, PageSizes.Max, token, cancellation);
                wanted.AddRange(page.Ids);
                token = CatalogPaging.NextToken(page);
            }
            while (token.Length > 0);
        }

        var states = await Task.WhenAll(wanted.Select(async id =>
        {
            if (watchers.Latest(id) is { } latest)
            {
                return latest;
            }

            var read = await Grain(id).GetStatusAsync(cancellation);
            watchers.Seen(read);
            return read;
        }));
        return [.. states];
    }

    private IEndpointGrain Grain(string id) => grains.GetGrain<IEndpointGrain>(id);
}
