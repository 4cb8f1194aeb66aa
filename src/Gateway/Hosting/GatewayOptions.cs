namespace Webhooks.Gateway.Hosting;

/// <summary>Where the API listens (configuration section "Gateway").</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>gRPC over HTTP/2 without TLS (h2c).</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>The same API as JSON over HTTP/1.1 (gRPC JSON transcoding).</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5001";

    /// <summary>Put exception details in error responses; for development only.</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>Largest accepted request message, over gRPC and as a JSON body.</summary>
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest accepted event (its encoded size: data, snapshots and every other field), in Publish and in
    /// each event of PublishBatch.</summary>
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>Events one PublishBatch call may carry.</summary>
    public int MaxBatchEvents { get; set; } = 1000;

    /// <summary>Both listeners are on a loopback address (or localhost): nobody off this host reaches them.</summary>
    public bool ListensOnLoopbackOnly => IsLoopback(GrpcUrl) && IsLoopback(HttpUrl);

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Host == "localhost" || (System.Net.IPAddress.TryParse(uri.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip)));
}
