using System.ComponentModel.DataAnnotations;

namespace Webhooks.Placement;

/// <summary>Moving endpoint grains to the silo each belongs on after silos join or leave (configuration section
/// "Rebalancing"). PostgreSQL only: in memory mode an endpoint's queue lives in its activation, and a move would
/// drop it.</summary>
public sealed class RebalancingOptions
{
    public const string Section = "Rebalancing";

    /// <summary>Whether a silo moves its endpoint grains that now belong on another silo. Off, endpoints stay where
    /// they were activated until they are collected or their silo stops, and a silo that joins only gets endpoints
    /// activated after it joined.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most endpoint moves a silo starts per second. A move waits for the endpoint's sends on the wire, and
    /// the endpoint reads its pending deliveries back from PostgreSQL on its new silo; the bound keeps a large
    /// cluster change from becoming a burst of those reads.</summary>
    [Range(1, 100_000)] public int MovesPerSecond { get; set; } = 200;

    /// <summary>How often a silo checks its endpoints even when the set of silos did not change, which catches
    /// endpoints another silo placed here while it still had an older view of the cluster.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}
