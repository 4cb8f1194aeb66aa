namespace Webhooks.Rules;

[GenerateSerializer, Immutable, Alias("webhooks.WebhookInfo")]
public sealed record WebhookInfo
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required WebhookDefinition Definition { get; init; }
    [Id(2)] public DateTimeOffset CreatedAt { get; init; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(4)] public WebhookStats Stats { get; init; } = new();
    /// <summary>Dead letters held now (see <see cref="IWebhookGrain.ListDeadLettersAsync"/>).</summary>
    [Id(5)] public int DeadLetters { get; init; }
}
