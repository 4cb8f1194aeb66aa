namespace Webhooks.Silo;

internal static partial class StartupLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks silo ready: gRPC on {GrpcUrl}, JSON/HTTP on {HttpUrl}, cluster '{ClusterId}'")]
    public static partial void Listening(ILogger logger, string grpcUrl, string httpUrl, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback default (no API keys, loopback listeners): deliveries may go to loopback addresses, this service's own ports excepted. With API keys or a network listener only Delivery:AllowedNetworks opens them (docs/security.md).")]
    public static partial void LoopbackDestinations(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage:Provider=memory: NOT DURABLE. Endpoints, webhooks, queued deliveries and the delivery log live in memory and are lost when the silo stops.")]
    public static partial void NotDurable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage:Provider=postgres: durable. Membership, endpoints, webhooks, event queues, deliveries and their attempts are on PostgreSQL; finished deliveries are kept for {RetentionDays} days.")]
    public static partial void Durable(ILogger logger, double retentionDays);
}
