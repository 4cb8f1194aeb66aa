using System.Collections.Immutable;

namespace Webhooks.Endpoints;

/// <summary>What an operator configures for a destination.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EndpointDefinition")]
public sealed record EndpointDefinition
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    [Id(0)] public string Name { get; init; } = "";
    /// <summary>Absolute http(s) URL; may contain {{ }} templates rendered per event.</summary>
    [Id(1)] public string Url { get; init; } = "";
    [Id(2)] public ImmutableArray<HttpHeader> Headers { get; init; } = [];
    /// <summary>HMAC key; null when none. Never leaves the endpoint grain once stored.</summary>
    [Id(3)] public string? Secret { get; init; }
    [Id(4)] public bool SslVerification { get; init; } = true;
    [Id(5)] public string CaFilePath { get; init; } = "";
    [Id(6)] public TimeSpan Timeout { get; init; } = DefaultTimeout;
    [Id(7)] public int MaxInFlight { get; init; } = 1;
    [Id(8)] public EndpointKind Kind { get; init; } = EndpointKind.Custom;
    [Id(9)] public string Description { get; init; } = "";
    /// <summary>Null: the silo's default policy (Delivery:RetryDelays, Delivery:MaxAttempts, Delivery:RetryJitter).</summary>
    [Id(10)] public RetryPolicy? Retry { get; init; }
    [Id(11)] public DeliveryOrdering Ordering { get; init; } = DeliveryOrdering.Fifo;
    /// <summary>Null: <see cref="CircuitBreakerPolicy.Default"/>.</summary>
    [Id(12)] public CircuitBreakerPolicy? CircuitBreaker { get; init; }
    /// <summary>Null: no limit.</summary>
    [Id(13)] public RateLimit? RateLimit { get; init; }
    /// <summary>How long an endpoint may do nothing but fail before it disables itself. Null: the silo's default
    /// (Delivery:DisableAfter, 5 days); zero: never.</summary>
    [Id(14)] public TimeSpan? DisableAfter { get; init; }
    /// <summary>A PEM file in Delivery:CertificateDirectory with the certificate (and its private key) this endpoint
    /// presents for mutual TLS; empty: none.</summary>
    [Id(15)] public string ClientCertificatePath { get; init; } = "";
    [Id(16)] public SignatureScheme SignatureScheme { get; init; } = SignatureScheme.NetBox;
    /// <summary>After a rotation, the secret before it, still signing until <see cref="PreviousSecretUntil"/>
    /// (Standard Webhooks sends both signatures meanwhile). Never returned.</summary>
    [Id(17)] public string? PreviousSecret { get; init; }
    [Id(18)] public DateTimeOffset? PreviousSecretUntil { get; init; }
    /// <summary>For <see cref="EndpointKind.Slack"/>: the channel, the name and the icon (":emoji:" or an image URL)
    /// the message is posted with; empty: the incoming webhook's own.</summary>
    [Id(19)] public string SlackChannel { get; init; } = "";
    [Id(20)] public string SlackUsername { get; init; } = "";
    [Id(21)] public string SlackIcon { get; init; } = "";
    /// <summary>The language of a templated <see cref="Url"/>.</summary>
    [Id(22)] public Templates.TemplateLanguage TemplateLanguage { get; init; }
}
