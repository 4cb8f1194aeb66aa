using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class EndpointMapping
{
    public static EndpointDefinition ToDefinition(Proto.Endpoint e) => new()
    {
        Name = e.Name,
        Url = e.Url,
        Headers = [.. e.Headers.Select(h => new HttpHeader { Name = h.Name, Value = h.Value })],
        Secret = e.Secret.Length > 0 ? e.Secret : null,
        SslVerification = !e.HasSslVerification || e.SslVerification,
        CaFilePath = e.CaFilePath,
        Timeout = e.Timeout is { } timeout ? ToTimeSpan(timeout) : TimeSpan.Zero,
        MaxInFlight = e.MaxInFlight,
        Kind = e.Kind switch
        {
            Proto.Endpoint.Types.Kind.Unspecified or Proto.Endpoint.Types.Kind.Custom => EndpointKind.Custom,
            Proto.Endpoint.Types.Kind.Slack => EndpointKind.Slack,
            Proto.Endpoint.Types.Kind.Zapier => EndpointKind.Zapier,
            _ => throw new InvalidFieldException("endpoint.kind", $"unknown kind {(int)e.Kind}"),
        },
        Description = e.Description,
    };

    /// <summary>The fields an update replaces: the mask's paths, or with no mask every field set in the request.</summary>
    public static ImmutableArray<string> Fields(Proto.Endpoint e, FieldMask? mask) =>
        FieldMasks.Resolve(mask, EndpointField.All, "endpoint",
            (e.Name.Length > 0, EndpointField.Name),
            (e.Url.Length > 0, EndpointField.Url),
            (e.Headers.Count > 0, EndpointField.Headers),
            (e.Secret.Length > 0, EndpointField.Secret),
            (e.HasSslVerification, EndpointField.SslVerification),
            (e.CaFilePath.Length > 0, EndpointField.CaFilePath),
            (e.Timeout is not null, EndpointField.Timeout),
            (e.MaxInFlight != 0, EndpointField.MaxInFlight),
            (e.Kind != Proto.Endpoint.Types.Kind.Unspecified, EndpointField.Kind),
            (e.Description.Length > 0, EndpointField.Description));

    public static Proto.Endpoint ToProto(EndpointInfo info)
    {
        var d = info.Definition;
        var result = new Proto.Endpoint
        {
            Id = info.Id,
            Name = d.Name,
            Url = d.Url,
            SecretSet = info.SecretSet,
            SslVerification = d.SslVerification,
            CaFilePath = d.CaFilePath,
            Timeout = ProtoTime.ToProto(d.Timeout),
            MaxInFlight = d.MaxInFlight,
            Kind = d.Kind switch
            {
                EndpointKind.Slack => Proto.Endpoint.Types.Kind.Slack,
                EndpointKind.Zapier => Proto.Endpoint.Types.Kind.Zapier,
                _ => Proto.Endpoint.Types.Kind.Custom,
            },
            Description = d.Description,
            CreateTime = ProtoTime.ToProto(info.CreatedAt),
            UpdateTime = ProtoTime.ToProto(info.UpdatedAt),
        };
        result.Headers.AddRange(d.Headers.Select(h => new Proto.Header { Name = h.Name, Value = h.Value }));
        return result;
    }

    public static Proto.EndpointState ToProto(EndpointStatus s) => new()
    {
        EndpointId = s.EndpointId,
        Queued = s.Queued,
        InFlight = s.InFlight,
        Delivered = s.Delivered,
        Failed = s.Failed,
        LastStatusCode = s.LastStatusCode,
        LastError = s.LastError,
        LastAttemptAt = ProtoTime.ToProto(s.LastAttemptAt),
        MaxInFlight = s.MaxInFlight,
        QueueCapacity = s.QueueCapacity,
        Attempts = s.Attempts,
        WaitingEnqueuers = s.WaitingEnqueuers,
        BacklogInStore = s.BacklogInStore,
        Paused = s.Paused,
        DisabledReason = s.DisabledReason,
    };

    private static TimeSpan ToTimeSpan(Duration duration)
    {
        if (duration.Seconds < 0 || duration.Nanos < 0 || duration.Seconds > 3600)
        {
            throw new InvalidFieldException("endpoint.timeout", "must be a positive duration");
        }

        return duration.ToTimeSpan();
    }
}
