using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Webhooks.Gateway.Health;

/// <summary>Not ready from the moment the process begins shutting down, so that load balancers stop sending traffic
/// while in-flight work finishes.</summary>
internal sealed class AcceptingTrafficHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down")
            : HealthCheckResult.Healthy("accepting traffic"));
}
