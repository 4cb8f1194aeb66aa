using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Webhooks.Benchmarks.Workload;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The physical limit: a plain HttpClient sending the pipeline's deliveries itself (same bodies, same
/// signature header, same receiver, same number of requests in flight), with nothing in between.</summary>
public sealed class BaselineClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly int _port;
    private readonly Scenario _scenario;
    private readonly EventFactory _factory;
    private readonly string[] _urls;
    private readonly string[] _secrets;
    private long _errors;
    private string? _lastError;

    public BaselineClient(int port, Scenario scenario, EventFactory factory)
    {
        _port = port;
        _scenario = scenario;
        _factory = factory;
        // The same handler settings as the service's delivery client (src/Grains/Delivery/DeliveryHttpClients.cs).
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        _urls = [.. Enumerable.Range(0, scenario.Endpoints).Select(k => BenchProtocol.HookUrl(port, k))];
        _secrets = [.. Enumerable.Range(0, scenario.Endpoints).Select(BenchProtocol.EndpointSecret)];
    }

    public long Errors => Interlocked.Read(ref _errors);

    public string? LastError => _lastError;

    /// <summary>Sends <paramref name="count"/> requests with <paramref name="concurrency"/> senders: request n is
    /// pairs[n] or, with a <paramref name="warmupOffset"/>, the event <c>warmupOffset + n</c> for the webhook of
    /// pairs[n mod length] (warm-up requests stay out of the measured range, and may outnumber the pairs).</summary>
    public async Task SendAsync((int Event, int Webhook)[] pairs, int count, int? warmupOffset, int concurrency, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count)
            {
                var (e, w) = pairs[n % pairs.Length];
                await SendOneAsync(warmupOffset is { } offset ? offset + n : e, w, n, cancellationToken);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
    }

    private async Task SendOneAsync(int eventIndex, int webhook, int sequence, CancellationToken cancellationToken)
    {
        var endpoint = _scenario.EndpointOf(webhook);
        var body = Encoding.UTF8.GetBytes(_factory.Body(eventIndex, Stopwatch.GetTimestamp()));
        using var request = new HttpRequestMessage(HttpMethod.Post, _urls[endpoint]) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("User-Agent", DeliverySender.UserAgent);
        request.Headers.TryAddWithoutValidation(BenchProtocol.WebhookHeader, webhook.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(DeliverySender.DeliveryHeader, string.Create(CultureInfo.InvariantCulture, $"ep{endpoint}-{sequence}"));
        request.Headers.TryAddWithoutValidation(DeliverySender.AttemptHeader, "1");
        request.Headers.TryAddWithoutValidation(PayloadSigner.HeaderName, PayloadSigner.Sign(_secrets[endpoint], body));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                Interlocked.Increment(ref _errors);
                _lastError = $"HTTP {(int)response.StatusCode}";
            }
        }
        catch (HttpRequestException ex)
        {
            Interlocked.Increment(ref _errors);
            _lastError = ex.Message;
        }
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"baseline → 127.0.0.1:{_port}";
}
