using System.Net;
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
        new[] { Api.V1.Events.Descriptor, Api.V1.Endpoints.Descriptor, Api.V1.Webhooks.Descriptor, Api.V1.Deliveries.Descriptor, Api.V1.Config.Descriptor }.SelectMany(s => s.Methods);

    /// <summary>Calls <paramref name="rpc"/> with <paramref name="payload"/> as its encoded request; the status it ends with.</summary>
    public static async Task<StatusCode> CallAsync(GrpcChannel channel, MethodDescriptor rpc, byte[] payload, string? key = null)
    {
        var bytes = Marshallers.Create(b => b, b => b);
        var headers = key is null ? null : new Metadata { { "authorization", $"Bearer {key}" } };
        if (rpc.IsServerStreaming)
        {
            return await StreamingCallAsync(channel, rpc, payload, headers);
        }

        var method = new Method<byte[], byte[]>(MethodType.Unary, rpc.Service.FullName, rpc.Name, bytes, bytes);
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

    /// <summary>A stream that has answered, or is still open after a moment (a watch waiting for changes), counts as
    /// OK; a stream that ends with a status gives that status.</summary>
    private static async Task<StatusCode> StreamingCallAsync(GrpcChannel channel, MethodDescriptor rpc, byte[] payload, Metadata? headers)
    {
        var bytes = Marshallers.Create(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.ServerStreaming, rpc.Service.FullName, rpc.Name, bytes, bytes);
        using var open = new CancellationTokenSource(StreamingWait);
        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, new CallOptions(headers), payload);
        try
        {
            await call.ResponseStream.MoveNext(open.Token);
            return StatusCode.OK;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && open.IsCancellationRequested)
        {
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }

    /// <summary>Sends a JSON request for <paramref name="rpc"/>: its status and the start of its body. A streaming call
    /// that is still open after <see cref="StreamingWait"/> without having answered counts as 200.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> SendJsonAsync(HttpClient http, MethodDescriptor rpc, HttpRequestMessage request)
    {
        if (!rpc.IsServerStreaming)
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text[..Math.Min(300, text.Length)]);
        }

        using var open = new CancellationTokenSource(StreamingWait);
        try
        {
            using var streaming = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, open.Token);
            return (streaming.StatusCode, "");
        }
        catch (OperationCanceledException) when (open.IsCancellationRequested)
        {
            return (HttpStatusCode.OK, "still open");
        }
    }

    /// <summary>How long a streaming call may stay silent before it counts as open.</summary>
    public static TimeSpan StreamingWait { get; } = TimeSpan.FromSeconds(2);

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
