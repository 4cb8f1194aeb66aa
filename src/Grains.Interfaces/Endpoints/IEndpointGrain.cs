using System.Collections.Immutable;
using Orleans.Concurrency;
using Webhooks.Deliveries;

namespace Webhooks.Endpoints;

/// <summary>One per endpoint (key: endpoint id): owns its definition and serializes its deliveries.</summary>
[Alias("webhooks.IEndpointGrain")]
public interface IEndpointGrain : IGrainWithStringKey
{
    [Alias("CreateAsync")]
    Task<EndpointInfo> CreateAsync(EndpointDefinition definition, CancellationToken cancellationToken = default);

    [Alias("GetAsync"), AlwaysInterleave]
    Task<EndpointInfo> GetAsync(CancellationToken cancellationToken = default);

    /// <summary>What a webhook addresses this endpoint with (its URL, whether that is a template, and the URL's
    /// version); throws <see cref="Errors.ResourceNotFoundException"/> when the endpoint does not exist.</summary>
    [Alias("GetRouteAsync"), AlwaysInterleave]
    Task<EndpointRoute> GetRouteAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the named fields (see <see cref="EndpointField"/>) with those of <paramref name="changes"/>.</summary>
    [Alias("UpdateAsync")]
    Task<EndpointInfo> UpdateAsync(EndpointDefinition changes, ImmutableArray<string> fields, CancellationToken cancellationToken = default);

    /// <summary>Deletes the endpoint. While webhooks deliver to it, throws <see cref="Errors.FailedPreconditionException"/>
    /// naming them, unless <paramref name="force"/>, which also takes the endpoint out of them (a webhook left with
    /// no endpoint is disabled).</summary>
    /// <summary>Signs with a new secret from now on (null: a generated Standard Webhooks one, returned once in
    /// <see cref="EndpointInfo.GeneratedSecret"/>) and with the current one too for <paramref name="overlap"/>.</summary>
    [Alias("RotateSecretAsync")]
    Task<EndpointInfo> RotateSecretAsync(string? secret, TimeSpan overlap, CancellationToken cancellationToken = default);

    [Alias("DeleteAsync")]
    Task DeleteAsync(bool force, CancellationToken cancellationToken = default);

    /// <summary>The definition for a configuration export: with <paramref name="includeSecrets"/> the secret and header
    /// values as stored (for admins, and for import to compare against), otherwise as readers see it.</summary>
    [Alias("ExportAsync")]
    Task<EndpointDefinition> ExportAsync(bool includeSecrets, CancellationToken cancellationToken = default);

    /// <summary>Records that the webhook delivers to this endpoint (called before the webhook stores a definition
    /// naming it) and returns the route it addresses it with; throws <see cref="Errors.ResourceNotFoundException"/>
    /// when the endpoint does not exist. Idempotent.</summary>
    /// <remarks>Interleaves: a forced delete calls the webhooks, which may be calling here at the same time.</remarks>
    [Alias("AttachWebhookAsync"), AlwaysInterleave]
    Task<EndpointRoute> AttachWebhookAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <summary>Forgets that the webhook delivers here (called after it stopped naming this endpoint). Idempotent.</summary>
    [Alias("DetachWebhookAsync"), AlwaysInterleave]
    Task DetachWebhookAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <summary>Queues deliveries in order, all addressed with the same URL version. Idempotent by (event id,
    /// webhook id). Waits while the queue is full (backpressure) and throws
    /// <see cref="Errors.EndpointBusyException"/> if it stays full; the requests queued before that stay queued,
    /// so sending the same batch again queues only the rest.</summary>
    [Alias("EnqueueAsync"), AlwaysInterleave]
    Task<EnqueueResult> EnqueueAsync(ImmutableArray<DeliveryRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>Stops sending; deliveries are still accepted and kept.</summary>
    [Alias("PauseAsync")]
    Task PauseAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends again, after a pause or after the endpoint disabled itself (410 Gone).</summary>
    [Alias("ResumeAsync")]
    Task ResumeAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends a finished (failed or succeeded) delivery once more, now (ahead of the queue, but not while
    /// paused or disabled), as one manual attempt. Throws <see cref="Errors.FailedPreconditionException"/> for a
    /// delivery that is still pending.</summary>
    [Alias("RedeliverAsync")]
    Task<DeliveryRecord> RedeliverAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>Redelivers, oldest first, every finished delivery created at or after <paramref name="since"/>
    /// with the given status (null: failed).</summary>
    [Alias("ReplayAsync")]
    Task<ReplayResult> ReplayAsync(DateTimeOffset since, DeliveryStatus? status, CancellationToken cancellationToken = default);

    /// <summary>Sends a sample event right away (whatever the queue, pause or circuit) and returns the delivery
    /// with its one attempt; it is kept in the delivery log like any other.</summary>
    [Alias("SendTestEventAsync")]
    Task<DeliveryRecord> SendTestEventAsync(CancellationToken cancellationToken = default);

    [Alias("GetStatusAsync"), AlwaysInterleave]
    Task<EndpointStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Activates the endpoint so that it resumes its pending deliveries. An endpoint whose silo is shutting
    /// down sends this to itself: the call reaches a new activation on another silo once this one is gone.</summary>
    [Alias("WakeAsync"), OneWay]
    Task WakeAsync();
}
