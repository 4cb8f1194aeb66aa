namespace Webhooks.Gateway.Hosting;

/// <summary>Where the API listens (configuration section "Gateway").</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>gRPC over HTTP/2: without TLS (h2c) for http://, with TLS for https://.</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>The same API as JSON over HTTP/1.1 (gRPC JSON transcoding); https:// for TLS.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5001";

    /// <summary>PEM certificate (chain) the https:// listeners present; reloaded when the file changes.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/>, when it is not in that file.</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>Whether a listener URL asks for TLS.</summary>
    public static bool IsTls(string url) => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Put exception details in error responses; for development only.</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>Largest accepted request message, over gRPC and as a JSON body.</summary>
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest accepted event (its encoded size: data, snapshots and every other field), in Publish and in
    /// each event of PublishBatch.</summary>
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>Events one PublishBatch call may carry.</summary>
    public int MaxBatchEvents { get; set; } = 1000;

    /// <summary>Serve the Orleans Dashboard at /orleans (admins only: it shows grain state).</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>Both listeners are on a loopback address (or localhost): nobody off this host reaches them.</summary>
    public bool ListensOnLoopbackOnly => IsLoopback(GrpcUrl) && IsLoopback(HttpUrl);

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Host == "localhost" || (System.Net.IPAddress.TryParse(uri.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip)));
}
