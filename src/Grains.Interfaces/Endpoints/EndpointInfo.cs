using System.Collections.Immutable;

namespace Webhooks.Endpoints;

/// <summary>An endpoint as readers see it: the definition without its secret, header values masked.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EndpointInfo")]
public sealed record EndpointInfo
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The definition, with <see cref="EndpointDefinition.Secret"/> always null and every header value "***".</summary>
    [Id(1)] public required EndpointDefinition Definition { get; init; }
    [Id(2)] public bool SecretSet { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Increases with every change; lets callers detect a stale cached copy.</summary>
    [Id(5)] public long Version { get; init; }
    /// <summary>"sha256:" and 8 hex digits identifying the secret; empty when none is set.</summary>
    [Id(6)] public string SecretFingerprint { get; init; } = "";
    /// <summary>The webhooks that deliver to this endpoint, in id order.</summary>
    [Id(7)] public ImmutableArray<string> WebhookIds { get; init; } = [];
    /// <summary>A secret the service generated in this call (Standard Webhooks without one given): shown this once.</summary>
    [Id(8)] public string? GeneratedSecret { get; init; }
}
