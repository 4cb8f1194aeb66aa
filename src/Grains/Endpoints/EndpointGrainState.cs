using System.Collections.Immutable;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>What an endpoint grain persists: its definition, lifecycle, delivery numbering and health. (The live
/// delivery state that the API calls EndpointState is <see cref="EndpointStatus"/>, served from memory.)</summary>
/// <remarks>The alias keeps the name it was stored under.</remarks>
[GenerateSerializer, Alias("webhooks.EndpointState")]
public sealed class EndpointGrainState
{
    /// <summary>Null when the endpoint does not exist (never created, or deleted).</summary>
    [Id(0)] public EndpointDefinition? Definition { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(3)] public long Version { get; set; }
    /// <summary>Bumped whenever the URL changes, so webhooks re-render a cached URL template.</summary>
    [Id(4)] public long UrlVersion { get; set; }
    /// <summary>Delivery sequences below this may have been used; a new activation continues from here.</summary>
    [Id(5)] public long SequenceReservedUpTo { get; set; }
    /// <summary>Paused by an operator: deliveries are kept, nothing is sent.</summary>
    [Id(6)] public bool Paused { get; set; }
    /// <summary>Why the endpoint disabled itself (410 Gone); null while enabled. Cleared by resuming.</summary>
    [Id(7)] public string? DisabledReason { get; set; }
    /// <summary>Every delivery numbered below this was finished when it was written; pending ones are read back
    /// from here. Saved when the endpoint is idle, so it may lag (reading back then starts lower).</summary>
    [Id(8)] public long SettledBelow { get; set; }
    /// <summary>The circuit breaker's run of failures as of its last change (a run began, the circuit opened or
    /// closed): the auto-disable window spans activations, and an open circuit stays open.</summary>
    [Id(9)] public DateTimeOffset? FailingSince { get; set; }
    [Id(10)] public int ConsecutiveFailures { get; set; }
    [Id(11)] public bool CircuitOpen { get; set; }
    /// <summary>The webhooks that attached themselves to this endpoint (see <see cref="EndpointUsers"/>).</summary>
    [Id(12)] public ImmutableSortedSet<string> WebhookIds { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>What webhooks address the endpoint with.</summary>
    public EndpointRoute Route()
    {
        var url = Definition?.Url ?? "";
        return new EndpointRoute
        {
            Url = url,
            IsTemplate = TemplateCompiler.IsTemplate(url),
            UrlVersion = UrlVersion,
            Kind = Definition?.Kind ?? EndpointKind.Custom,
            SlackChannel = Definition?.SlackChannel ?? "",
            SlackUsername = Definition?.SlackUsername ?? "",
            SlackIcon = Definition?.SlackIcon ?? "",
            TemplateLanguage = TemplateLanguages.ForStored(Definition?.TemplateLanguage ?? TemplateLanguage.Unspecified),
        };
    }
}
