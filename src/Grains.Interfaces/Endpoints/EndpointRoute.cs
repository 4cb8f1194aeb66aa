namespace Webhooks.Endpoints;

/// <summary>What a webhook needs to address an endpoint: its URL template and the version of that URL.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.EndpointRoute")]
public sealed record EndpointRoute
{
    [Id(0)] public required string Url { get; init; }
    /// <summary>True when <see cref="Url"/> contains {{ }} and must be rendered per event.</summary>
    [Id(1)] public bool IsTemplate { get; init; }
    /// <summary>Changes whenever the URL, its template language, the kind or the Slack settings change.</summary>
    [Id(2)] public long UrlVersion { get; init; }
    /// <summary>Slack and Zapier endpoints take the body in their own shape.</summary>
    [Id(3)] public EndpointKind Kind { get; init; }
    [Id(4)] public string SlackChannel { get; init; } = "";
    [Id(5)] public string SlackUsername { get; init; } = "";
    [Id(6)] public string SlackIcon { get; init; } = "";
    /// <summary>The language of a templated <see cref="Url"/>.</summary>
    [Id(7)] public Templates.TemplateLanguage TemplateLanguage { get; init; } = Templates.TemplateLanguage.Jinja2;
}
