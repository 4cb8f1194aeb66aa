using System.Collections.Immutable;
using Webhooks.Endpoints;
using Webhooks.Rules;

namespace Webhooks.Config;

/// <summary>Endpoints and webhooks by id: what export writes and import makes true.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.ConfigDocument")]
public sealed record ConfigDocument
{
    [Id(0)] public ImmutableArray<ConfigEndpoint> Endpoints { get; init; } = [];
    [Id(1)] public ImmutableArray<ConfigWebhook> Webhooks { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("webhooks.ConfigEndpoint")]
public sealed record ConfigEndpoint
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>A null secret keeps the stored one; a header value "***" keeps the stored value.</summary>
    [Id(1)] public required EndpointDefinition Definition { get; init; }
}

[GenerateSerializer, Immutable, Alias("webhooks.ConfigWebhook")]
public sealed record ConfigWebhook
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required WebhookDefinition Definition { get; init; }
}
