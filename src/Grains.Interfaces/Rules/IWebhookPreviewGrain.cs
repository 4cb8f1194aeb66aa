using Orleans.Concurrency;
using Webhooks.Events;

namespace Webhooks.Rules;

/// <summary>Evaluates a webhook against an event as deliveries do, and sends nothing (TestWebhook).</summary>
[Alias("webhooks.IWebhookPreviewGrain")]
public interface IWebhookPreviewGrain : IGrainWithIntegerKey
{
    /// <summary>A stored webhook (<paramref name="webhookId"/>) or an unsaved one (<paramref name="definition"/>,
    /// validated as CreateWebhook validates it: an invalid one is refused naming the field).</summary>
    [Alias("PreviewAsync")]
    Task<WebhookPreview> PreviewAsync(string? webhookId, WebhookDefinition? definition, ObjectEvent item, CancellationToken cancellationToken = default);
}
