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
        ClientCertificatePath = e.ClientCertificatePath,
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
        SlackChannel = e.SlackChannel,
        SlackUsername = e.SlackUsername,
        SlackIcon = e.SlackIcon,
        TemplateLanguage = TemplateLanguageMapping.ToDomain(e.TemplateLanguage, "endpoint.template_language"),
        SignatureScheme = e.SignatureScheme switch
        {
            Proto.Endpoint.Types.SignatureScheme.Unspecified or Proto.Endpoint.Types.SignatureScheme.Netbox => SignatureScheme.NetBox,
            Proto.Endpoint.Types.SignatureScheme.StandardWebhooks => SignatureScheme.StandardWebhooks,
            _ => throw new InvalidFieldException("endpoint.signature_scheme", $"unknown scheme {(int)e.SignatureScheme}"),
        },
        Retry = e.RetryPolicy is { } retry ? ToRetryPolicy(retry) : null,
        Ordering = e.Ordering switch
        {
            Proto.Endpoint.Types.Ordering.Unspecified or Proto.Endpoint.Types.Ordering.Fifo => DeliveryOrdering.Fifo,
            Proto.Endpoint.Types.Ordering.None => DeliveryOrdering.None,
            _ => throw new InvalidFieldException("endpoint.ordering", $"unknown ordering {(int)e.Ordering}"),
        },
        CircuitBreaker = e.CircuitBreaker is { } breaker
            ? new CircuitBreakerPolicy
            {
                FailureThreshold = breaker.HasFailureThreshold ? breaker.FailureThreshold : CircuitBreakerPolicy.Default.FailureThreshold,
                ProbeInterval = breaker.ProbeInterval is { } probe
                    ? ToTimeSpan(probe, "endpoint.circuit_breaker.probe_interval")
                    : CircuitBreakerPolicy.Default.ProbeInterval,
            }
            : null,
        RateLimit = e.RateLimit is { } limit ? new RateLimit { RequestsPerSecond = limit.RequestsPerSecond, Burst = limit.Burst == 0 ? 1 : limit.Burst } : null,
        DisableAfter = e.DisableAfter is { } window ? ToTimeSpan(window, "endpoint.disable_after") : null,
    };

    private static RetryPolicy ToRetryPolicy(Proto.RetryPolicy r)
    {
        var exponential = r.Exponential is { } e
            ? new ExponentialBackoff
            {
                Initial = e.Initial is { } initial ? ToTimeSpan(initial, "endpoint.retry_policy.exponential.initial") : new ExponentialBackoff().Initial,
                Multiplier = e.Multiplier == 0 ? new ExponentialBackoff().Multiplier : e.Multiplier,
                Max = e.Max is { } max ? ToTimeSpan(max, "endpoint.retry_policy.exponential.max") : new ExponentialBackoff().Max,
                MaxAttempts = e.MaxAttempts == 0 ? new ExponentialBackoff().MaxAttempts : e.MaxAttempts,
            }
            : null;
        return new RetryPolicy
        {
            Schedule = r.Schedule.Count > 0
                ? [.. r.Schedule.Select((d, i) => ToTimeSpan(d, $"endpoint.retry_policy.schedule[{i}]"))]
                : RetryPolicy.DefaultSchedule,
            Exponential = exponential,
            Jitter = r.HasJitter ? r.Jitter : RetryPolicy.Default.Jitter,
            Attempts = r.MaxAttempts == 0 ? null : r.MaxAttempts,
        };
    }

    private static Proto.RetryPolicy ToProto(RetryPolicy policy)
    {
        var result = new Proto.RetryPolicy { Jitter = policy.Jitter, MaxAttempts = policy.Attempts ?? 0 };
        if (policy.Exponential is { } e)
        {
            result.Exponential = new Proto.ExponentialBackoff
            {
                Initial = ProtoTime.ToProto(e.Initial),
                Multiplier = e.Multiplier,
                Max = ProtoTime.ToProto(e.Max),
                MaxAttempts = e.MaxAttempts,
            };
        }
        else
        {
            result.Schedule.AddRange(policy.Schedule.Select(ProtoTime.ToProto));
        }

        return result;
    }

    /// <summary>The fields an update replaces: the mask's paths, or with no mask every field set in the request.</summary>
    public static ImmutableArray<string> Fields(Proto.Endpoint e, FieldMask? mask) =>
        FieldMasks.Resolve(mask, EndpointField.All, "endpoint",
            (e.Name.Length > 0, EndpointField.Name),
            (e.Url.Length > 0, EndpointField.Url),
            (e.Headers.Count > 0, EndpointField.Headers),
            (e.Secret.Length > 0, EndpointField.Secret),
            (e.HasSslVerification, EndpointField.SslVerification),
            (e.CaFilePath.Length > 0, EndpointField.CaFilePath),
            (e.ClientCertificatePath.Length > 0, EndpointField.ClientCertificatePath),
            (e.Timeout is not null, EndpointField.Timeout),
            (e.MaxInFlight != 0, EndpointField.MaxInFlight),
            (e.Kind != Proto.Endpoint.Types.Kind.Unspecified, EndpointField.Kind),
            (e.Description.Length > 0, EndpointField.Description),
            (e.RetryPolicy is not null, EndpointField.RetryPolicy),
            (e.Ordering != Proto.Endpoint.Types.Ordering.Unspecified, EndpointField.Ordering),
            (e.CircuitBreaker is not null, EndpointField.CircuitBreaker),
            (e.RateLimit is not null, EndpointField.RateLimit),
            (e.DisableAfter is not null, EndpointField.DisableAfter),
            (e.SignatureScheme != Proto.Endpoint.Types.SignatureScheme.Unspecified, EndpointField.SignatureScheme),
            (e.SlackChannel.Length > 0, EndpointField.SlackChannel),
            (e.SlackUsername.Length > 0, EndpointField.SlackUsername),
            (e.SlackIcon.Length > 0, EndpointField.SlackIcon),
            (e.TemplateLanguage != Proto.TemplateLanguage.Unspecified, EndpointField.TemplateLanguage));

    public static Proto.Endpoint ToProto(EndpointInfo info)
    {
        var d = info.Definition;
        var result = new Proto.Endpoint
        {
            Id = info.Id,
            Name = d.Name,
            Url = d.Url,
            SecretSet = info.SecretSet,
            SecretFingerprint = info.SecretFingerprint,
            WebhookIds = { info.WebhookIds },
            Secret = info.GeneratedSecret ?? "",
            SignatureScheme = d.SignatureScheme == SignatureScheme.StandardWebhooks
                ? Proto.Endpoint.Types.SignatureScheme.StandardWebhooks
                : Proto.Endpoint.Types.SignatureScheme.Netbox,
            PreviousSecretExpireTime = ProtoTime.ToProto(d.PreviousSecretUntil),
            SlackChannel = d.SlackChannel,
            SlackUsername = d.SlackUsername,
            SlackIcon = d.SlackIcon,
            TemplateLanguage = TemplateLanguageMapping.ToProto(d.TemplateLanguage),
            SslVerification = d.SslVerification,
            CaFilePath = d.CaFilePath,
            ClientCertificatePath = d.ClientCertificatePath,
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
            RetryPolicy = d.Retry is { } retry ? ToProto(retry) : null,
            Ordering = d.Ordering == DeliveryOrdering.None ? Proto.Endpoint.Types.Ordering.None : Proto.Endpoint.Types.Ordering.Fifo,
            CircuitBreaker = d.CircuitBreaker is { } breaker
                ? new Proto.CircuitBreaker { FailureThreshold = breaker.FailureThreshold, ProbeInterval = ProtoTime.ToProto(breaker.ProbeInterval) }
                : null,
            RateLimit = d.RateLimit is { } limit ? new Proto.RateLimit { RequestsPerSecond = limit.RequestsPerSecond, Burst = limit.Burst } : null,
            DisableAfter = d.DisableAfter is { } window ? ProtoTime.ToProto(window) : null,
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
        CircuitState = s.Circuit switch
        {
            CircuitState.Open => Proto.EndpointState.Types.CircuitState.Open,
            CircuitState.HalfOpen => Proto.EndpointState.Types.CircuitState.HalfOpen,
            _ => Proto.EndpointState.Types.CircuitState.Closed,
        },
        ConsecutiveFailures = s.ConsecutiveFailures,
        FailingSince = ProtoTime.ToProto(s.FailingSince),
        NextProbeAt = ProtoTime.ToProto(s.NextProbeAt),
        WaitingForRetry = s.WaitingForRetry,
        OldestPendingTime = ProtoTime.ToProto(s.OldestPendingAt),
        DeliveriesPerSecond = s.DeliveriesPerSecond,
        AttemptLatencyP50 = Duration(s.AttemptLatencyP50),
        AttemptLatencyP95 = Duration(s.AttemptLatencyP95),
        AttemptLatencyP99 = Duration(s.AttemptLatencyP99),
        LastErrorTime = ProtoTime.ToProto(s.LastErrorAt),
    };

    private static Duration? Duration(TimeSpan? value) => value is { } v ? ProtoTime.ToProto(v) : null;

    private static TimeSpan ToTimeSpan(Duration duration) => ToTimeSpan(duration, "endpoint.timeout", 3600);

    /// <summary>A rotation's overlap (the grain checks its range).</summary>
    public static TimeSpan Overlap(Duration? overlap) => overlap is null ? TimeSpan.Zero : ToTimeSpan(overlap, "overlap");

    /// <summary>Rejects negative and absurd durations here (Duration allows ±10,000 years); the validator checks
    /// each field's own range.</summary>
    private static TimeSpan ToTimeSpan(Duration duration, string field, long maxSeconds = 400L * 24 * 3600)
    {
        if (duration.Seconds < 0 || duration.Nanos < 0 || duration.Seconds > maxSeconds)
        {
            throw new InvalidFieldException(field, "must be a positive duration");
        }

        if (duration.Nanos >= Google.Protobuf.WellKnownTypes.Duration.NanosecondsPerSecond)
        {
            throw new InvalidFieldException(field, "is not a valid duration (nanos must be below 1,000,000,000)");
        }

        return duration.ToTimeSpan();
    }
}
