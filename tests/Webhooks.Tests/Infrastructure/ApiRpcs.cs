using Google.Api;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Every RPC of the API, read from the protos, and ways to call any of them with any bytes: over gRPC as a
/// raw unary call, over JSON through its HTTP rule.</summary>
public static class ApiRpcs
{
    public static IEnumerable<MethodDescriptor> All =>
        new[] { Api.V1.Events.Descriptor, Api.V1.Endpoints.Descriptor, Api.V1.Webhooks.Descriptor, Api.V1.Deliveries.Descriptor }.SelectMany(s => s.Methods);

    /// <summary>Calls <paramref name="rpc"/> with <paramref name="payload"/> as its encoded request; the status it ends with.</summary>
    public static async Task<StatusCode> CallAsync(GrpcChannel channel, MethodDescriptor rpc, byte[] payload, string? key = null)
    {
        var bytes = Marshallers.Create(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.Unary, rpc.Service.FullName, rpc.Name, bytes, bytes);
        var headers = key is null ? null : new Metadata { { "authorization", $"Bearer {key}" } };
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), payload);
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>The JSON route of <paramref name="rpc"/>: its HTTP method, path template and whether it takes a body.</summary>
    public static (HttpMethod Method, string Template, bool HasBody) Route(MethodDescriptor rpc)
    {
        var rule = rpc.GetOptions().GetExtension(AnnotationsExtensions.Http);
        var (method, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
            HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
            HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
            HttpRule.PatternOneofCase.Put => (HttpMethod.Put, rule.Put),
            HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
            _ => throw new InvalidOperationException($"{rpc.FullName} has no HTTP rule"),
        };
        return (method, template, rule.Body.Length > 0);
    }
}
