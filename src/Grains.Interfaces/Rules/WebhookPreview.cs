using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Rules;

/// <summary>What a webhook would make of one event, sent nowhere: whether it matches, and the request it renders.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.WebhookPreview")]
public sealed record WebhookPreview
{
    [Id(0)] public bool Matched { get; init; }
    [Id(1)] public string HttpMethod { get; init; } = "";
    /// <summary>The first endpoint's URL, rendered when it is a template.</summary>
    [Id(2)] public string Url { get; init; } = "";
    /// <summary>Content-Type and the webhook's rendered headers (the endpoint adds its own, the delivery's and the
    /// signature when it sends).</summary>
    [Id(3)] public ImmutableArray<HttpHeader> Headers { get; init; } = [];
    [Id(4)] public string Body { get; init; } = "";
    /// <summary>Why the event does not match or cannot be rendered: the condition's or a template's error; empty
    /// when it matches, or when the condition simply said no.</summary>
    [Id(5)] public string Error { get; init; } = "";
}
