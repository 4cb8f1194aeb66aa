using System.Collections.Immutable;

namespace Webhooks.Rules;

/// <summary>What a webhook grain persists.</summary>
/// <remarks>The alias keeps the name it was stored under.</remarks>
[GenerateSerializer, Alias("webhooks.WebhookState")]
public sealed class WebhookGrainState
{
    /// <summary>Null when the webhook does not exist (never created, or deleted).</summary>
    [Id(0)] public WebhookDefinition? Definition { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Stream keys this webhook holds subscriptions on, so that a change of definition (or a crash
    /// half-way through one) can be reconciled on the next activation.</summary>
    [Id(3)] public ImmutableArray<string> SubscribedStreams { get; set; } = [];
    /// <summary>Events accepted before this are not for this webhook: it did not exist, was disabled, or
    /// covered other types or events then. Subscriptions change asynchronously to events already queued, so
    /// this, not the subscription, decides.</summary>
    [Id(4)] public DateTimeOffset ActiveSince { get; set; }
    /// <summary>Dead letters held, as the dead-letter grain last answered.</summary>
    [Id(5)] public int DeadLetters { get; set; }
    /// <summary>The counts as last saved (every minute while they change, and on deactivation).</summary>
    [Id(6)] public WebhookStats? Stats { get; set; }
    /// <summary>Whether the endpoints it names know it as a user (see <c>IEndpointGrain.AttachWebhookAsync</c>); false
    /// for a webhook stored before endpoints kept their users, which attaches itself when it next activates.</summary>
    [Id(7)] public bool AttachedToEndpoints { get; set; }
}
