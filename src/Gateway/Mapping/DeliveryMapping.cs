using Webhooks.Deliveries;
using Webhooks.Errors;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class DeliveryMapping
{
    public static DeliveryQuery ToQuery(Proto.ListDeliveriesRequest r)
    {
        DateTimeOffset? after = r.CreatedAfter is { } a ? ProtoTime.ToDateTimeOffset(a, "created_after") : null;
        DateTimeOffset? before = r.CreatedBefore is { } b ? ProtoTime.ToDateTimeOffset(b, "created_before") : null;
        if (after >= before)
        {
            throw new InvalidFieldException("created_before", "must be later than created_after");
        }

        if (r.ObjectType.Length > 200)
        {
            throw new InvalidFieldException("object_type", "must be at most 200 characters");
        }

        return new DeliveryQuery
        {
            EndpointId = NullIfEmpty(r.EndpointId),
            WebhookId = NullIfEmpty(r.WebhookId),
            EventId = NullIfEmpty(r.EventId),
            Status = ToStatus(r.Status),
            ObjectType = NullIfEmpty(r.ObjectType.Trim().ToLowerInvariant()),
            CreatedAfter = after,
            CreatedBefore = before,
            PageSize = r.PageSize,
            PageToken = NullIfEmpty(r.PageToken),
        };
    }

    public static Proto.Delivery ToProto(DeliveryRecord d)
    {
        var result = new Proto.Delivery
        {
            Id = d.Id,
            EndpointId = d.EndpointId,
            WebhookId = d.WebhookId,
            EventId = d.EventId,
            ObjectType = d.ObjectType,
            Event = d.Event,
            Status = d.Status switch
            {
                DeliveryStatus.Pending => Proto.Delivery.Types.Status.Pending,
                DeliveryStatus.Succeeded => Proto.Delivery.Types.Status.Succeeded,
                DeliveryStatus.Failed => Proto.Delivery.Types.Status.Failed,
                _ => Proto.Delivery.Types.Status.Unspecified,
            },
            HttpMethod = d.HttpMethod,
            Url = d.Url,
            RequestBody = d.Body,
            CreateTime = ProtoTime.ToProto(d.CreatedAt),
            NextAttemptTime = ProtoTime.ToProto(d.NextAttemptAt),
        };
        result.RequestHeaders.AddRange(d.Headers.Select(h => new Proto.Header { Name = h.Name, Value = h.Value }));
        result.Attempts.AddRange(d.Attempts.Select(a =>
        {
            var attempt = new Proto.DeliveryAttempt
            {
                Time = ProtoTime.ToProto(a.Time),
                Duration = ProtoTime.ToProto(a.Duration),
                ResponseStatusCode = a.StatusCode,
                Error = a.Error,
                ResponseBody = a.ResponseBody,
                TimedOut = a.TimedOut,
                Manual = a.Manual,
            };
            attempt.ResponseHeaders.AddRange(a.ResponseHeaders.Select(h => new Proto.Header { Name = h.Name, Value = h.Value }));
            attempt.RequestHeaders.AddRange(a.RequestHeaders.Select(h => new Proto.Header { Name = h.Name, Value = h.Value }));
            return attempt;
        }));
        return result;
    }

    public static DeliveryStatus? ToStatus(Proto.Delivery.Types.Status status) => status switch
    {
        Proto.Delivery.Types.Status.Unspecified => null,
        Proto.Delivery.Types.Status.Pending => DeliveryStatus.Pending,
        Proto.Delivery.Types.Status.Succeeded => DeliveryStatus.Succeeded,
        Proto.Delivery.Types.Status.Failed => DeliveryStatus.Failed,
        _ => throw new InvalidFieldException("status", $"unknown status {(int)status}"),
    };

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
