namespace Webhooks.Rules;

/// <summary>What happened when a webhook evaluated events, since its activation.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.WebhookStats")]
public sealed record WebhookStats
{
    [Id(0)] public long EventsMatched { get; init; }
    [Id(1)] public long DeliveriesCreated { get; init; }
    [Id(2)] public long ConditionErrors { get; init; }
    [Id(3)] public long TemplateErrors { get; init; }
    [Id(4)] public string LastError { get; init; } = "";
    [Id(5)] public DateTimeOffset? LastErrorAt { get; init; }
    /// <summary>Events set aside as poison since the activation.</summary>
    [Id(6)] public long EventsDeadLettered { get; init; }
}
