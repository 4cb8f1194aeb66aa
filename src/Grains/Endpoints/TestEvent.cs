using System.Text.Json;

namespace Webhooks.Endpoints;

/// <summary>The sample event SendTestEvent delivers: the shape of a real object event (NetBox's body layout), so
/// that a receiver's parsing is exercised too, with a type no system of record uses.</summary>
internal static class TestEvent
{
    public const string ObjectType = "webhooks.test";
    public const string Name = "test";

    public static string Body(string endpointId, string eventId, DateTimeOffset timestamp) => JsonSerializer.Serialize(new
    {
        @event = Name,
        timestamp,
        model = ObjectType,
        username = "webhooks",
        request_id = eventId,
        data = new { message = "This is a test event from Webhooks.", endpoint_id = endpointId },
        snapshots = new { prechange = (object?)null, postchange = (object?)null },
    });
}
