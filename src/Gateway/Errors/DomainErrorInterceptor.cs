using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Orleans.Runtime;
using Webhooks.Errors;
using Status = Google.Rpc.Status;

namespace Webhooks.Gateway.Errors;

/// <summary>The one place domain errors become gRPC status codes. Field errors carry a google.rpc.BadRequest
/// detail naming the field, so clients need not parse messages. Messages are bounded: they may quote what the caller
/// sent, and a status travels in HTTP/2 trailers, where an oversized one aborts the caller's whole connection.</summary>
internal sealed partial class DomainErrorInterceptor(ILogger<DomainErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException && Map(ex, context) is { } mapped)
        {
            if (mapped.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.FailedPrecondition)
            {
                // The caller's mistake, answered with a status that says so: one line, and only when asked for.
                LogRefused(logger, context.Method, mapped.StatusCode, mapped.Status.Detail);
            }

            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException && Map(ex, context) is { } mapped)
        {
            throw mapped;
        }
    }

    private RpcException? Map(Exception ex, ServerCallContext context)
    {
        switch (ex)
        {
            case InvalidFieldException invalid:
                return new Status
                {
                    Code = (int)Code.InvalidArgument,
                    Message = Bounded(invalid.Message),
                    Details =
                    {
                        Any.Pack(new BadRequest
                        {
                            FieldViolations = { new BadRequest.Types.FieldViolation { Field = invalid.Field, Description = Bounded(invalid.Reason) } },
                        }),
                    },
                }.ToRpcException();
            case ResourceNotFoundException notFound:
                return new RpcException(new Grpc.Core.Status(StatusCode.NotFound, Bounded(notFound.Message)));
            case ResourceExistsException exists:
                return new RpcException(new Grpc.Core.Status(StatusCode.AlreadyExists, Bounded(exists.Message)));
            case FailedPreconditionException precondition:
                return new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, Bounded(precondition.Message)));
            case EndpointBusyException or BacklogFullException:
                return new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, Bounded(ex.Message)));
            case StoreUnavailableException:
                LogUnavailable(logger, ex, context.Method);
                return new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, Bounded(ex.Message)));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "the call was cancelled"));
            case TimeoutException:
                return new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "the cluster did not answer in time"));
            case SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException or Orleans.Runtime.Messaging.ConnectionFailedException:
                LogUnavailable(logger, ex, context.Method);
                return new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the cluster is unavailable; retry"));
            default:
                LogUnexpected(logger, ex, context.Method);
                return null;
        }
    }

    /// <summary>At most this many characters of a message: enough for any reason, short of HTTP/2's header limits.</summary>
    public const int MaxMessageLength = 1000;

    private static string Bounded(string message) =>
        message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "…");

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method}: {StatusCode}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method}: cluster unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method}: unexpected error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method);
}
