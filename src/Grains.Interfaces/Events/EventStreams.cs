namespace Webhooks.Events;

/// <summary>Names of the Orleans streams that carry object events.</summary>
public static class EventStreams
{
    /// <summary>Stream provider name.</summary>
    public const string Provider = "object-events";

    /// <summary>Stream namespace; the stream key is the object type.</summary>
    public const string Namespace = "object-type";

    /// <summary>Key of the stream that carries events of every type, for "*" and prefix subscriptions.</summary>
    public const string AllTypesKey = "*";
}
