using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Webhooks.Api.V1;
using Webhooks.Config;
using Webhooks.Errors;
using Webhooks.Gateway.Auth;
using Webhooks.Gateway.Config;
using Webhooks.Gateway.Mapping;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Services;

internal sealed class ConfigService(IGrainFactory grains) : Proto.Config.ConfigBase
{
    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override async Task<Proto.ConfigDocument> ExportConfig(ExportConfigRequest request, ServerCallContext context)
    {
        if (request.IncludeSecrets && !context.GetHttpContext().User.IsInRole(ApiRoles.Admin))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "include_secrets needs an admin key"));
        }

        return ConfigMapping.ToProto(await Grain.ExportAsync(request.IncludeSecrets, context.CancellationToken), request.IncludeSecrets);
    }

    [Authorize(Policy = ApiRoles.AdminPolicy)]
    public override async Task<ImportConfigResponse> ImportConfig(ImportConfigRequest request, ServerCallContext context)
    {
        var document = ConfigMapping.ToDomain(request.Document ?? throw new InvalidFieldException("document", "is required"));
        var changes = await Grain.ImportAsync(document, request.DryRun, request.Prune, context.CancellationToken);
        var response = new ImportConfigResponse();
        response.Changes.AddRange(changes.Select(ConfigMapping.ToProto));
        return response;
    }

    [Authorize(Policy = ApiRoles.ReadPolicy)]
    public override Task<ConvertNetBoxConfigResponse> ConvertNetBoxConfig(ConvertNetBoxConfigRequest request, ServerCallContext context)
    {
        var conversion = NetBoxConfigConverter.Convert(Json(request.Webhooks, "webhooks"), Json(request.EventRules, "event_rules"));
        var response = new ConvertNetBoxConfigResponse
        {
            Document = Proto.ConfigDocument.Parser.ParseJson(conversion.Document.ToJsonString()),
        };
        response.Warnings.AddRange(conversion.Warnings);
        return Task.FromResult(response);
    }

    private IConfigGrain Grain => grains.GetGrain<IConfigGrain>(0);

    private static System.Text.Json.Nodes.JsonNode? Json(Google.Protobuf.WellKnownTypes.Value? value, string field)
    {
        if (value is null || value.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.None)
        {
            return null;
        }

        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(JsonFormatter.Default.Format(value));
        }
        catch (InvalidOperationException ex)
        {
            // A value nested inside that has no kind (only binary protobuf can send one): not JSON at all.
            throw new InvalidFieldException(field, $"is not JSON: {ex.Message}");
        }
    }
}
