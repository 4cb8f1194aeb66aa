namespace Webhooks.Rules;

/// <summary>What happened when a webhook evaluated events: since it was created when its storage is durable (saved
/// every minute and when it deactivates), else since its activation.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.WebhookStats")]
public sealed record WebhookStats
{
    [Id(0)] public long EventsMatched { get; init; }
    [Id(1)] public long DeliveriesCreated { get; init; }
    [Id(2)] public long ConditionErrors { get; init; }
    [Id(3)] public long TemplateErrors { get; init; }
    [Id(4)] public string LastError { get; init; } = "";
    [Id(5)] public DateTimeOffset? LastErrorAt { get; init; }
    /// <summary>Events set aside as poison.</summary>
    [Id(6)] public long EventsDeadLettered { get; init; }
    /// <summary>Events of its object types whose event name it does not take.</summary>
    [Id(7)] public long EventsFilteredByEvent { get; init; }
    /// <summary>Events its condition turned down.</summary>
    [Id(8)] public long EventsFilteredByCondition { get; init; }
}
