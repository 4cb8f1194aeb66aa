using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Resources;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class EventMapping
{
    public const int MaxEventIdLength = 128;

    /// <summary>Validates and converts; <paramref name="field"/> prefixes error field names ("event", "events[3]").</summary>
    public static ObjectEvent ToDomain(Proto.ObjectEvent? e, string field, DateTimeOffset now)
    {
        if (e is null)
        {
            throw new InvalidFieldException(field, "is required");
        }

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
            Timestamp = e.Timestamp is { } timestamp ? timestamp.ToDateTimeOffset() : now,
            Username = e.Username,
            RequestId = e.RequestId,
            Data = Json(e.Data),
            Prechange = Json(e.Prechange),
            Postchange = Json(e.Postchange),
        };
    }

    private static string? Json(Google.Protobuf.WellKnownTypes.Struct? value) => value is null ? null : StructJson.Format(value);
}
