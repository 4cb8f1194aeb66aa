using System.Collections.Immutable;

namespace Webhooks.Config;

/// <summary>What an import did, or would do, to one resource.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.ConfigChange")]
public sealed record ConfigChange
{
    /// <summary>"endpoint" or "webhook".</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public ConfigAction Action { get; init; }
    /// <summary>For an update: the fields that change, named as in field masks.</summary>
    [Id(3)] public ImmutableArray<string> Fields { get; init; } = [];
    /// <summary>A secret the service generated for a created endpoint (Standard Webhooks without one): shown this once.</summary>
    [Id(4)] public string? GeneratedSecret { get; init; }
}

[GenerateSerializer, Alias("webhooks.ConfigAction")]
public enum ConfigAction
{
    Unchanged = 0,
    Create = 1,
    Update = 2,
    Delete = 3,
}
