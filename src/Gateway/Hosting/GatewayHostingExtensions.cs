using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Webhooks.Gateway.Auth;
using Webhooks.Gateway.WebConsole;
using Webhooks.Gateway.Errors;
using Webhooks.Gateway.Health;
using Webhooks.Gateway.Json;
using Webhooks.Hosting;
using Webhooks.Gateway.Services;
using Webhooks.Gateway.Watching;

namespace Webhooks.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    public const string DashboardPath = "/orleans";

    /// <summary>Adds the gRPC API (with JSON transcoding, reflection and health) and binds its two listeners.
    /// The host supplies Orleans: co-hosted in a silo, or as a client of a remote cluster.</summary>
    public static WebApplicationBuilder AddWebhooksGateway(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GatewayOptions.Section);
        builder.Services.AddOptions<GatewayOptions>().Bind(section)
            .Validate(o => IsListenUrl(o.GrpcUrl), "Gateway:GrpcUrl must be an http or https URL with an IP address or localhost and a port, e.g. http://127.0.0.1:5000")
            .Validate(o => IsListenUrl(o.HttpUrl), "Gateway:HttpUrl must be an http or https URL with an IP address or localhost and a port, e.g. http://127.0.0.1:5001")
            .Validate(o => o.MaxBatchEvents > 0 && o.MaxRequestBytes > 0, "Gateway:MaxBatchEvents and Gateway:MaxRequestBytes must be positive")
            .Validate(o => o.MaxEventBytes > 0 && o.MaxEventBytes <= o.MaxRequestBytes, "Gateway:MaxEventBytes must be positive and at most Gateway:MaxRequestBytes")
            .Validate(o => !(GatewayOptions.IsTls(o.GrpcUrl) || GatewayOptions.IsTls(o.HttpUrl)) || o.TlsCertificateFile is { Length: > 0 },
                "an https:// listener needs Gateway:TlsCertificateFile (and Gateway:TlsKeyFile unless the key is in that file)")
            .ValidateOnStart();
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        builder.AddApiKeyAuth();
        builder.AddWebhooksTelemetry();
        builder.AddWebhooksLogging();

        builder.Services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<DomainErrorInterceptor>();
            grpc.EnableDetailedErrors = options.DetailedErrors;
            grpc.MaxReceiveMessageSize = options.MaxRequestBytes;
        }).AddJsonTranscoding(json =>
            // Error details (google.rpc.BadRequest) must be known to render them as JSON.
            json.TypeRegistry = Google.Protobuf.Reflection.TypeRegistry.FromMessages(Google.Rpc.BadRequest.Descriptor));
        builder.Services.RefuseAsInvalidArgument();
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<EndpointStateWatchers>();
        // /healthz: the process answers. /readyz and the gRPC health service: the checks tagged ready (this one, and
        // what the host adds: the silo's membership and database, or a standalone gateway's cluster).
        builder.Services.AddHealthChecks().AddCheck<AcceptingTrafficHealthCheck>("accepting", tags: [HealthTags.Ready]);
        builder.Services.AddGrpcHealthChecks(grpc =>
        {
            grpc.Services.Clear();
            grpc.Services.Map("", check => check.Tags.Contains(HealthTags.Ready));
        });

        var certificate = TlsCertificate(options, builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // JSON bodies are held to the same bound as gRPC messages (Kestrel's own default is 30 MB).
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            if (IsListenUrl(options.GrpcUrl) && IsListenUrl(options.HttpUrl))
            {
                Listen(kestrel, options.GrpcUrl, HttpProtocols.Http2, certificate);
                Listen(kestrel, options.HttpUrl, HttpProtocols.Http1, certificate);
            }
        });
        return builder;
    }

    public static WebApplication MapWebhooksGateway(this WebApplication app)
    {
        // Resolved now so that invalid keys stop the start with one line.
        var keys = app.Services.GetRequiredService<ApiKeyRing>();
        app.Lifetime.ApplicationStarted.Register(() => GatewayLog.Auth(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Webhooks.Gateway"), keys));
        // Before routing: the console's files are served as files, not matched by the 405 fallback route.
        app.UseWebhooksConsole();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<UnknownJsonFields>();
        app.MapGrpcService<EventsService>();
        app.MapGrpcService<EndpointsService>();
        app.MapGrpcService<WebhooksService>();
        app.MapGrpcService<DeliveriesService>();
        app.MapGrpcService<ConfigService>();
        app.MapGrpcReflectionService();
        app.MapConsoleSession();
        app.MapPrometheusScrapingEndpoint(GatewayTelemetry.MetricsPath).RequireAuthorization(ApiRoles.ReadPolicy);
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Dashboard)
        {
            // Admins only: among much else the dashboard shows grain state, endpoint secrets included.
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(ApiRoles.AdminPolicy);
        }

        // Health stays open: probes and load balancers carry no key.
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapHealthChecks("/healthz", HealthResponse.Options(_ => false)).AllowAnonymous();
        app.MapHealthChecks("/readyz", HealthResponse.Options(check => check.Tags.Contains(HealthTags.Ready))).AllowAnonymous();
        app.MapMethodNotAllowed();
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (ports resolved when configured as 0).</summary>
    public static IReadOnlyList<string> BoundAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>The certificate https:// listeners present, loaded now so that a wrong file stops the start with one
    /// line; null when no listener uses TLS.</summary>
    private static ServerCertificate? TlsCertificate(GatewayOptions options, IServiceCollection services)
    {
        if ((!GatewayOptions.IsTls(options.GrpcUrl) && !GatewayOptions.IsTls(options.HttpUrl)) || options.TlsCertificateFile is not { Length: > 0 } file)
        {
            return null;
        }

        try
        {
            var certificate = new ServerCertificate(file, options.TlsKeyFile is { Length: > 0 } key ? key : null, TimeProvider.System);
            services.AddSingleton(certificate);
            return certificate;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions),
                [$"Gateway:TlsCertificateFile {file} cannot be loaded: {ex.Message}"]);
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string url, HttpProtocols protocols, ServerCertificate? certificate)
    {
        var uri = new Uri(url);
        Action<ListenOptions> configure = listen =>
        {
            listen.Protocols = protocols;
            if (GatewayOptions.IsTls(url) && certificate is not null)
            {
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
            }
        };
        if (uri.Host == "localhost")
        {
            kestrel.ListenLocalhost(uri.Port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(uri.Host), uri.Port, configure);
        }
    }

    private static bool IsListenUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !uri.IsDefaultPort
        && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host, out _));
}
