namespace Webhooks.Events;

/// <summary>Something happened to one object in a system of record.</summary>
/// <remarks>The object snapshots travel as JSON text: it is what arrives, what conditions and
/// templates parse, and what the default body embeds, so it is never re-encoded on the way.</remarks>
[GenerateSerializer, Immutable, Alias("webhooks.ObjectEvent")]
public sealed record ObjectEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required string ObjectType { get; init; }
    [Id(2)] public required string Event { get; init; }
    [Id(3)] public string ObjectId { get; init; } = "";
    [Id(4)] public DateTimeOffset Timestamp { get; init; }
    [Id(5)] public string Username { get; init; } = "";
    [Id(6)] public string RequestId { get; init; } = "";
    [Id(7)] public string? Data { get; init; }
    [Id(8)] public string? Prechange { get; init; }
    [Id(9)] public string? Postchange { get; init; }
    /// <summary>When the cluster accepted the event (server clock), stamped by the object-type grain. Webhooks
    /// ignore events accepted before they were created or last enabled.</summary>
    [Id(10)] public DateTimeOffset AcceptedAt { get; init; }
    /// <summary>W3C traceparent of the publish that brought the event, continued by each webhook that evaluates it;
    /// null when tracing is off.</summary>
    [Id(11)] public string? TraceParent { get; init; }
}
