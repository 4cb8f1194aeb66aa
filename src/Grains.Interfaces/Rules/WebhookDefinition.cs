using System.Collections.Immutable;

namespace Webhooks.Rules;

/// <summary>A rule: which events, under which condition, rendered how, delivered where.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.WebhookDefinition")]
public sealed record WebhookDefinition
{
    public const string DefaultHttpMethod = "POST";
    public const string DefaultContentType = "application/json";

    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public bool Enabled { get; init; } = true;
    /// <summary>"dcim.device", "dcim.*" (prefix) or "*" (all types).</summary>
    [Id(2)] public ImmutableArray<string> ObjectTypes { get; init; } = [];
    /// <summary>Event names, or "*" for all.</summary>
    [Id(3)] public ImmutableArray<string> Events { get; init; } = [];
    /// <summary>JavaScript expression; empty means always.</summary>
    [Id(4)] public string Condition { get; init; } = "";
    [Id(5)] public string HttpMethod { get; init; } = DefaultHttpMethod;
    [Id(6)] public string HttpContentType { get; init; } = DefaultContentType;
    /// <summary>"Name: Value" per line; a template.</summary>
    [Id(7)] public string AdditionalHeaders { get; init; } = "";
    /// <summary>A template; empty means the JSON of the whole event context.</summary>
    [Id(8)] public string BodyTemplate { get; init; } = "";
    [Id(9)] public ImmutableArray<string> EndpointIds { get; init; } = [];
    [Id(10)] public string Description { get; init; } = "";
    /// <summary>A NetBox condition set as JSON (instead of <see cref="Condition"/>); empty means none.</summary>
    [Id(11)] public string Conditions { get; init; } = "";
    /// <summary>The body without a body template.</summary>
    [Id(12)] public PayloadFormat PayloadFormat { get; init; } = PayloadFormat.NetBox;
    /// <summary>The language of <see cref="AdditionalHeaders"/> and <see cref="BodyTemplate"/>.</summary>
    [Id(13)] public Templates.TemplateLanguage TemplateLanguage { get; init; }
}
