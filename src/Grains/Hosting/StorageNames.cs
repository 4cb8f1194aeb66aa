namespace Webhooks.Hosting;

/// <summary>Names of the grain storage providers.</summary>
public static class StorageNames
{
    /// <summary>Endpoint and webhook definitions, catalogs.</summary>
    public const string Definitions = "definitions";

    /// <summary>Explicit stream subscriptions; Orleans looks this name up itself.</summary>
    public const string PubSub = "PubSubStore";
}
