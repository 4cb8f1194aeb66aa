using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Webhooks.Hosting;

/// <summary>A silo is ready while the cluster's membership has it Active: not before it has joined, not once it is
/// shutting down or has been declared dead.</summary>
internal sealed class SiloMembershipHealthCheck(ILocalSiloDetails silo, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}"));
    }
}
