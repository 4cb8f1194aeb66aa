using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Webhooks.Hosting;

namespace Webhooks.Gateway.Hosting;

/// <summary>OpenTelemetry for the process that serves the API (a silo co-hosting it, or a standalone gateway):
/// the service's meter and spans, Orleans' and ASP.NET Core's meters, a Prometheus endpoint at /metrics and, when
/// OpenTelemetry:OtlpEndpoint is set, an OTLP exporter.</summary>
public static class GatewayTelemetry
{
    /// <summary>The service's meter and activity source (the grains' instruments and spans use the same name).</summary>
    public const string Name = "Webhooks";

    public const string MetricsPath = "/metrics";

    /// <summary>The gateway's spans: one per publish call, the root of its events' traces here.</summary>
    public static ActivitySource Source { get; } = new(Name);

    private static readonly string[] Meters =
    [
        Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.Routing", "System.Net.Http",
    ];

    public static WebApplicationBuilder AddWebhooksTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.OtlpProtocol is TelemetryOptions.Grpc or TelemetryOptions.HttpProtobuf,
                $"OpenTelemetry:OtlpProtocol must be '{TelemetryOptions.Grpc}' or '{TelemetryOptions.HttpProtobuf}'")
            .Validate(o => o.ExportInterval >= TimeSpan.FromSeconds(1), "OpenTelemetry:ExportInterval must be at least 1 s")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: "webhooks"))
            .WithMetrics(metrics =>
            {
                // Without metrics /metrics still answers (empty), so scrapers and probes see a configuration choice.
                metrics.AddPrometheusExporter();
                if (options.Metrics)
                {
                    metrics.AddMeter(Meters);
                }

                if (options.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Otlp(exporter, options, "metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Min(int.MaxValue, options.ExportInterval.TotalMilliseconds);
                    });
                }
            });
        if (options.Traces)
        {
            telemetry.WithTracing(tracing =>
            {
                // The server span continues a publisher's traceparent (HTTP header or gRPC metadata alike).
                tracing.AddSource(Name).AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path));
                if (options.OtlpEndpoint is not null)
                {
                    tracing.AddOtlpExporter(exporter => Otlp(exporter, options, "traces"));
                }
            });
        }

        return builder;
    }

    private static void Otlp(OtlpExporterOptions exporter, TelemetryOptions options, string signal)
    {
        var http = options.OtlpProtocol == TelemetryOptions.HttpProtobuf;
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Over HTTP an endpoint set in code is used as it is: the signal's path is ours to add.
        exporter.Endpoint = http ? new Uri($"{options.OtlpEndpoint!.AbsoluteUri.TrimEnd('/')}/v1/{signal}") : options.OtlpEndpoint!;
    }

    // Scrapes and health probes every few seconds would bury the traces that matter.
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz")
        || path.StartsWithSegments("/grpc.health.v1.Health");
}
