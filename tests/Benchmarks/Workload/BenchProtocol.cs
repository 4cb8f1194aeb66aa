using System.Globalization;
using System.Text;

namespace Webhooks.Benchmarks.Workload;

/// <summary>What the harness, the service and the receiver agree on: where a delivery goes and how the receiver
/// finds out which (event, webhook, endpoint) it is and when the event was published.</summary>
public static class BenchProtocol
{
    /// <summary>Static header each webhook adds (additional_headers), naming the webhook.</summary>
    public const string WebhookHeader = "X-Bench-W";

    public const string SignatureHeader = "X-Hook-Signature";

    /// <summary>Deliveries are POSTed to /hook/{endpoint index}.</summary>
    public const string HookPrefix = "/hook/";

    /// <summary>Keys in the event's data, found in the body whether it is templated or the default body.</summary>
    public const string IdKey = "bench_id";
    public const string SentKey = "bench_t";

    public static string EndpointSecret(int endpoint) => "bench-secret-" + endpoint.ToString(CultureInfo.InvariantCulture);

    public static byte[] EndpointSecretBytes(int endpoint) => Encoding.UTF8.GetBytes(EndpointSecret(endpoint));

    public static string HookUrl(int port, int endpoint) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}{HookPrefix}{endpoint}");

    /// <summary>The isolation scenario's timing-out endpoint: the receiver holds requests to /slow/… without
    /// answering and counts them apart (never as deliveries, so they cannot pass for a healthy webhook's).</summary>
    public const string SlowPrefix = "/slow/";

    public static string SlowUrl(int port) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}{SlowPrefix}bad");

    /// <summary>The isolation scenario's endpoint that is down: a port nothing listens on.</summary>
    public static string DownUrl(int closedPort) =>
        string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{closedPort}/down/bad");

    private static ReadOnlySpan<byte> IdMarker => "\"bench_id\":\""u8;
    private static ReadOnlySpan<byte> SentMarker => "\"bench_t\":\""u8;

    /// <summary>Finds "bench_id":"123" and "bench_t":"456" in a UTF-8 JSON body without parsing it.</summary>
    public static bool TryReadBody(ReadOnlySpan<byte> body, out int id, out long sentTicks)
    {
        sentTicks = 0;
        return TryReadNumber(body, IdMarker, out id) && TryReadNumber(body, SentMarker, out sentTicks);
    }

    private static bool TryReadNumber<T>(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker, out T value)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        value = T.Zero;
        var at = body.IndexOf(marker);
        if (at < 0)
        {
            return false;
        }

        var rest = body[(at + marker.Length)..];
        var end = rest.IndexOf((byte)'"');
        if (end <= 0)
        {
            return false;
        }

        var ten = T.CreateChecked(10);
        foreach (var b in rest[..end])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * ten) + T.CreateChecked(b - '0');
        }

        return true;
    }
}
