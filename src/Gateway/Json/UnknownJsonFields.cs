using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http.Features;

namespace Webhooks.Gateway.Json;

/// <summary>Refuses a JSON body that carries a field its message does not have (`maxInflight` for `maxInFlight`)
/// with 400 / INVALID_ARGUMENT naming it: JSON transcoding ignores unknown fields, so a typo would silently fall back
/// to the default. The body is read once more by the strict protobuf JSON parser; it is already bounded in bytes.</summary>
/// <remarks>Written here because the transcoder offers no strict mode.</remarks>
internal sealed class UnknownJsonFields(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is { } transcoding
            && transcoding.HttpRule.Body.Length > 0
            && BodyType(transcoding) is { } type
            && await UnknownFieldAsync(context.Request, type) is { } unknown)
        {
            var body = transcoding.HttpRule.Body;
            var where = body == "*" ? "the request" : body;
            var hint = body != "*" && (unknown == body || unknown.Equals("updateMask", StringComparison.OrdinalIgnoreCase))
                ? $"; the body is the {body} itself, and the mask goes in the query: ?updateMask=name,description"
                : "";
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            var message = $"{where}: unknown field \"{unknown}\"{hint}";
            await context.Response.WriteAsync(
                $$"""{"code":3,"message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"details":[]}""");
            return;
        }

        await next(context);
    }

    private static MessageDescriptor? BodyType(GrpcJsonTranscodingMetadata transcoding)
    {
        var input = transcoding.MethodDescriptor.InputType;
        return transcoding.HttpRule.Body == "*" ? input : input.FindFieldByName(transcoding.HttpRule.Body)?.MessageType;
    }

    /// <summary>The first field of the body its message does not have; null when there is none, or when the body is
    /// not JSON at all (the transcoder reports that).</summary>
    private static async Task<string?> UnknownFieldAsync(HttpRequest request, MessageDescriptor type)
    {
        // A body over the limit is the transcoder's to refuse, from its Content-Length, without reading it.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max && request.ContentLength > max)
        {
            return null;
        }

        request.EnableBuffering();
        string json;
        try
        {
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            return null;
        }

        request.Body.Position = 0;
        if (json.Length == 0)
        {
            return null;
        }

        try
        {
            JsonParser.Default.Parse(json, type);
            return null;
        }
        catch (InvalidProtocolBufferException ex) when (ex.Message.StartsWith(UnknownFieldPrefix, StringComparison.Ordinal))
        {
            return ex.Message[UnknownFieldPrefix.Length..].Trim();
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return null;
        }
    }

    private const string UnknownFieldPrefix = "Unknown field:";
}
