namespace Webhooks.Silo;

internal static partial class StartupLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhooks silo ready: gRPC on {GrpcUrl}, JSON/HTTP on {HttpUrl}, cluster '{ClusterId}'")]
    public static partial void Listening(ILogger logger, string grpcUrl, string httpUrl, string clusterId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage:Provider=memory: NOT DURABLE. Endpoints, webhooks, queued deliveries and the delivery log live in memory and are lost when the silo stops.")]
    public static partial void NotDurable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage:Provider=postgres: membership, endpoints, webhooks, stream subscriptions and reminders are on PostgreSQL; event queues and queued deliveries are still in memory and lost if a silo stops.")]
    public static partial void PartlyDurable(ILogger logger);
}
