using Webhooks.Deliveries;

namespace Webhooks.Endpoints;

/// <summary>The one place an endpoint makes new deliveries: from a webhook's request, or a test event.</summary>
internal static class DeliveryRecords
{
    /// <param name="endpointUrl">The endpoint's URL, for requests that carry no rendered URL of their own.</param>
    public static DeliveryRecord FromRequest(string endpointId, long sequence, DeliveryRequest request, string endpointUrl, DateTimeOffset createdAt) =>
        new()
        {
            Id = DeliveryId.Format(endpointId, sequence),
            EndpointId = endpointId,
            Sequence = sequence,
            WebhookId = request.WebhookId,
            EventId = request.EventId,
            ObjectType = request.ObjectType,
            Event = request.Event,
            Status = DeliveryStatus.Pending,
            HttpMethod = request.HttpMethod,
            Url = request.Url ?? endpointUrl,
            ContentType = request.ContentType,
            Headers = request.Headers,
            Body = request.Body,
            CreatedAt = createdAt,
            EventAcceptedAt = request.EventAcceptedAt == default ? null : request.EventAcceptedAt,
            TraceParent = request.TraceParent,
        };

    /// <summary>A sample event (<see cref="TestEvent"/>) with an event id of its own, sent by no webhook.</summary>
    public static DeliveryRecord Test(string endpointId, long sequence, string url, DateTimeOffset createdAt)
    {
        var eventId = $"test-{Guid.NewGuid():N}";
        return new DeliveryRecord
        {
            Id = DeliveryId.Format(endpointId, sequence),
            EndpointId = endpointId,
            Sequence = sequence,
            WebhookId = "",
            EventId = eventId,
            ObjectType = TestEvent.ObjectType,
            Event = TestEvent.Name,
            Status = DeliveryStatus.Pending,
            HttpMethod = "POST",
            Url = url,
            ContentType = "application/json",
            Body = TestEvent.Body(endpointId, eventId, createdAt),
            CreatedAt = createdAt,
        };
    }
}
