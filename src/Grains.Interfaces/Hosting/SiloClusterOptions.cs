using System.ComponentModel.DataAnnotations;

namespace Webhooks.Hosting;

/// <summary>This silo's place in the cluster (configuration section "Orleans").</summary>
public sealed class SiloClusterOptions
{
    public const string Section = "Orleans";

    /// <summary>Orleans' own membership settings (its ClusterMembershipOptions) bind from here.</summary>
    public const string MembershipSection = "Orleans:Membership";

    [Required] public string ClusterId { get; set; } = "webhooks";
    [Required] public string ServiceId { get; set; } = "webhooks";
    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
    [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo on (durable mode; the embedded default is
    /// localhost-only).</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";

    /// <summary>How long a stop (SIGTERM) may take: in-flight sends finish, stream queues are handed back, grains
    /// deactivate and the silo leaves the membership table within it, whether or not the database answers.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
