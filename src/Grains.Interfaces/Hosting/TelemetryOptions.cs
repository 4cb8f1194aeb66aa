namespace Webhooks.Hosting;

/// <summary>Metrics and traces (configuration section "OpenTelemetry"): what is measured, and where it goes besides
/// the Prometheus endpoint at /metrics.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";

    /// <summary>An OTLP collector (gRPC, e.g. http://otel-collector:4317) that receives metrics and traces; unset:
    /// nothing is pushed anywhere.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>How the OTLP exporter talks to the collector: "grpc" (port 4317 by convention) or "http/protobuf"
    /// (4318; the signal's path, /v1/metrics or /v1/traces, is added to the endpoint).</summary>
    public string OtlpProtocol { get; set; } = Grpc;

    /// <summary>How often metrics are pushed to the OTLP endpoint.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    public const string Grpc = "grpc";

    public const string HttpProtobuf = "http/protobuf";

    /// <summary>Tag webhooks.events.published with the object type: one series per type, so only where the types
    /// are few.</summary>
    public bool ObjectTypeTag { get; set; }

    /// <summary>Export metrics (/metrics, and OTLP when configured).</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>Spans for each publish, webhook evaluation and attempt, and a traceparent on every webhook request.</summary>
    public bool Traces { get; set; } = true;
}
