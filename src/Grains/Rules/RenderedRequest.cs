using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Rules;

/// <summary>What a webhook renders once per matching event, shared by all of its endpoints.</summary>
public sealed record RenderedRequest(ImmutableArray<HttpHeader> Headers, string Body);
