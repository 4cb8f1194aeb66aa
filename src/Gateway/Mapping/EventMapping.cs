using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Resources;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class EventMapping
{
    public const int MaxEventIdLength = 128;
    public const int MaxObjectIdLength = 256;
    public const int MaxUsernameLength = 150;
    public const int MaxRequestIdLength = 128;

    /// <summary>Validates and converts; <paramref name="field"/> prefixes error field names ("event", "events[3]").</summary>
    /// <param name="maxBytes">Largest encoded size an event may have (Gateway:MaxEventBytes).</param>
    /// <param name="traceParent">The publish's trace context, which the event carries to the webhooks.</param>
    public static ObjectEvent ToDomain(Proto.ObjectEvent? e, string field, DateTimeOffset now, int maxBytes, string? traceParent = null)
    {
        if (e is null)
        {
            throw new InvalidFieldException(field, "is required");
        }

        // The message as decoded, so the bound is the same whether it came as protobuf or as JSON.
        if (e.CalculateSize() is var size && size > maxBytes)
        {
            throw new InvalidFieldException(field, $"is {size} bytes; an event may have at most {maxBytes} (Gateway:MaxEventBytes)");
        }

        Bounded(e.ObjectId, MaxObjectIdLength, $"{field}.object_id");
        Bounded(e.Username, MaxUsernameLength, $"{field}.username");
        Bounded(e.RequestId, MaxRequestIdLength, $"{field}.request_id");

        var objectType = e.ObjectType.Trim().ToLowerInvariant();
        if (objectType.Length == 0)
        {
            throw new InvalidFieldException($"{field}.object_type", "is required (app_label.model, e.g. dcim.device)");
        }

        if (!ObjectTypes.IsValid(objectType))
        {
            throw new InvalidFieldException($"{field}.object_type", $"'{e.ObjectType}' is not valid: {ObjectTypes.Rule}");
        }

        var eventName = e.Event.Trim();
        if (eventName.Length == 0)
        {
            throw new InvalidFieldException($"{field}.event", "is required (created, updated, deleted or a custom name)");
        }

        if (!EventNames.IsValid(eventName))
        {
            throw new InvalidFieldException($"{field}.event", $"'{e.Event}' is not valid: {EventNames.Rule}");
        }

        var eventId = e.EventId.Trim();
        if (eventId.Length > MaxEventIdLength || eventId.Any(c => c is < '!' or > '~'))
        {
            throw new InvalidFieldException($"{field}.event_id", $"must be at most {MaxEventIdLength} printable ASCII characters without spaces");
        }

        return new ObjectEvent
        {
            EventId = eventId.Length > 0 ? eventId : ResourceIds.New("evt"),
            ObjectType = objectType,
            Event = eventName,
            ObjectId = e.ObjectId,
            Timestamp = e.Timestamp is { } timestamp ? ProtoTime.ToDateTimeOffset(timestamp, $"{field}.timestamp") : now,
            Username = e.Username,
            RequestId = e.RequestId,
            Data = Json(e.Data),
            Prechange = Json(e.Prechange),
            Postchange = Json(e.Postchange),
            TraceParent = traceParent,
        };
    }

    private static void Bounded(string value, int maxLength, string field)
    {
        if (value.Length > maxLength)
        {
            throw new InvalidFieldException(field, $"must be at most {maxLength} characters");
        }
    }

    private static string? Json(Google.Protobuf.WellKnownTypes.Struct? value) => value is null ? null : StructJson.Format(value);
}
