namespace Webhooks.Hosting;

/// <summary>What a health check decides.</summary>
public static class HealthTags
{
    /// <summary>Whether this process should get traffic now: joined the cluster, its database reachable, not
    /// shutting down. Served at /readyz and by the gRPC health service.</summary>
    public const string Ready = "ready";
}
