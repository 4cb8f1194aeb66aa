using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Hosting;

/// <summary>The real silo process with API keys: /metrics (readers) shows the service's counters move after
/// publishing, beside Orleans' and ASP.NET Core's; /orleans (admins) serves the Orleans Dashboard; a publisher's
/// traceparent, as gRPC metadata or an HTTP header, reaches the receiver in the same trace; metrics and spans are
/// pushed to an OTLP endpoint when one is configured.</summary>
public sealed partial class ObservabilityTests : IAsyncLifetime
{
    private const string AdminKey = "whk_observability-admin";
    private const string ReaderKey = "whk_observability-reader";

    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-observability-{Guid.NewGuid():N}");
    private SiloProcess _silo = null!;
    private TestReceiver _receiver = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logDirectory);
        _receiver = await TestReceiver.StartAsync();
        _silo = SiloProcess.Start("observability", $"obs-{Guid.NewGuid():N}"[..16], connectionString: null, _logDirectory,
        [
            "Storage:Provider=memory",
            "Auth:Keys:0:Name=ops", "Auth:Keys:0:Role=admin", $"Auth:Keys:0:Sha256={Sha256(AdminKey)}",
            "Auth:Keys:1:Name=prometheus", "Auth:Keys:1:Role=reader", $"Auth:Keys:1:Sha256={Sha256(ReaderKey)}",
            // With keys the loopback default is off; the receiver is on 127.0.0.1.
            "Delivery:AllowedNetworks:0=127.0.0.0/8",
            // The receiver stands in for an OTLP collector (OTLP over HTTP: a protobuf POST per batch).
            $"OpenTelemetry:OtlpEndpoint={_receiver.Url}/otlp", "OpenTelemetry:OtlpProtocol=http/protobuf", "OpenTelemetry:ExportInterval=00:00:01",
        ]);
        await _silo.WaitReadyAsync(TimeSpan.FromSeconds(90), AdminKey);
        _http = new HttpClient { BaseAddress = new Uri(_silo.HttpUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _silo.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_ForReaders_ShowTheCountersMoveAfterPublishing()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/metrics", key: null)).StatusCode);
        var type = await WebhookAsync("/metrics");
        var before = await ScrapeAsync();

        for (var i = 0; i < 5; i++)
        {
            await PublishAsync(type, metadata: null);
        }

        await _receiver.WaitForAsync("/metrics", 5);
        await Poll.UntilAsync(async () =>
        {
            var after = await ScrapeAsync();
            return Value(after, "webhooks_events_published_total") >= Value(before, "webhooks_events_published_total") + 5
                && Value(after, "webhooks_deliveries_created_total") >= Value(before, "webhooks_deliveries_created_total") + 5
                && Value(after, "webhooks_attempts_total", "outcome=\"success\"") >= Value(before, "webhooks_attempts_total", "outcome=\"success\"") + 5
                && Value(after, "webhooks_deliveries_succeeded_total") >= Value(before, "webhooks_deliveries_succeeded_total") + 5
                && Value(after, "webhooks_attempt_duration_seconds_count") >= Value(before, "webhooks_attempt_duration_seconds_count") + 5
                && Value(after, "webhooks_delivery_latency_seconds_count") >= Value(before, "webhooks_delivery_latency_seconds_count") + 5;
        }, "the counters moved by the five events", TimeSpan.FromSeconds(30));

        var text = await ScrapeAsync();
        Assert.Contains("webhooks_deliveries_queued", text, StringComparison.Ordinal);
        Assert.Contains("webhooks_deliveries_in_flight", text, StringComparison.Ordinal);
        Assert.Matches(OrleansMetric(), text);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAndSpans_ArePushedToTheOtlpEndpoint()
    {
        var type = await WebhookAsync("/otlp-traced");
        await PublishAsync(type, metadata: null);
        await _receiver.WaitForAsync("/otlp-traced", 1);

        // Metric and span names travel as UTF-8 strings inside the protobuf bodies.
        await Poll.UntilAsync(() => Task.FromResult(
            _receiver.For("/otlp/v1/metrics").Any(r => Carries(r, "webhooks.events.published"))
            && _receiver.For("/otlp/v1/traces").Any(r => Carries(r, "webhooks.attempt") || Carries(r, "webhooks.evaluate"))),
            "metrics and spans reached the OTLP endpoint", TimeSpan.FromSeconds(30));
        Assert.All(_receiver.For("/otlp/v1/metrics"), r => Assert.Equal("POST", r.Method));
        Assert.Equal("application/x-protobuf", _receiver.For("/otlp/v1/traces")[0].Header("Content-Type"));

        static bool Carries(ReceivedRequest request, string name) => request.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(name)) >= 0;
    }

    [Fact]
    public async Task TheDashboard_IsServedToAdminsOnly()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/orleans/", key: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/orleans/", ReaderKey)).StatusCode);

        using var page = await GetAsync("/orleans/", AdminKey);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("<script", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APublishersTraceparent_ReachesTheReceiver_InTheSameTrace()
    {
        var type = await WebhookAsync("/traced");
        var grpcTrace = RandomHex(16);
        var jsonTrace = RandomHex(16);
        var publisherSpan = RandomHex(8);

        await PublishAsync(type, new Metadata { { "traceparent", $"00-{grpcTrace}-{publisherSpan}-01" } });
        using (var json = new HttpRequestMessage(HttpMethod.Post, "/v1/events:publish")
        {
            Content = new StringContent(
                System.Text.Json.JsonSerializer.Serialize(new { @event = new { objectType = type, @event = "created", data = new { n = 1 } } }),
                Encoding.UTF8, "application/json"),
        })
        {
            json.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
            json.Headers.Add("traceparent", $"00-{jsonTrace}-{publisherSpan}-01");
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(json)).StatusCode);
        }

        var arrived = await _receiver.WaitForAsync("/traced", 2);
        var traces = arrived.Select(r => r.Header("traceparent") ?? "").ToList();
        foreach (var trace in new[] { grpcTrace, jsonTrace })
        {
            var traceparent = Assert.Single(traces, t => t.StartsWith($"00-{trace}-", StringComparison.Ordinal));
            Assert.Matches(TraceParent(), traceparent);
            // The attempt's own span, not the publisher's.
            Assert.DoesNotContain(publisherSpan, traceparent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logs_AreStampedInUtc_AndAMalformedRequestWritesNoStackTrace()
    {
        Assert.Equal(StatusCode.InvalidArgument, await ApiRpcs.CallAsync(_silo.Channel, PublishRpc, [0xff, 0xff, 0xff], AdminKey));
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            _silo.Webhooks.GetWebhookAsync(new GetWebhookRequest { Id = "missing" }, Admin()).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // The harness stamps each line with its arrival time; the silo's own stamp follows it.
        var log = await File.ReadAllLinesAsync(_silo.LogPath);
        Assert.Contains(log, line => SiloStampedLine().IsMatch(line) && line.Contains("Webhooks silo ready", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.TrimStart().StartsWith("at Google.Protobuf", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("InvalidProtocolBufferException", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("'missing'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_CanBeJson_ByConfiguration()
    {
        await using var silo = SiloProcess.Start("json-logs", $"json-{Guid.NewGuid():N}"[..16], connectionString: null, _logDirectory,
            ["Storage:Provider=memory", "Logging:Console:FormatterName=json"]);
        await silo.WaitReadyAsync(TimeSpan.FromSeconds(90));

        await Poll.UntilAsync(async () => (await File.ReadAllTextAsync(silo.LogPath)).Contains("Webhooks silo ready", StringComparison.Ordinal), "the ready line");
        var ready = (await File.ReadAllLinesAsync(silo.LogPath)).First(line => line.Contains("Webhooks silo ready", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(ready[(ready.IndexOf('{', StringComparison.Ordinal))..]);
        Assert.Equal("Information", json.RootElement.GetProperty("LogLevel").GetString());
        Assert.Matches(UtcStamp(), json.RootElement.GetProperty("Timestamp").GetString());
    }

    private static Google.Protobuf.Reflection.MethodDescriptor PublishRpc => ApiRpcs.All.Single(m => m.FullName == "webhooks.v1.Events.Publish");

    private async Task<string> WebhookAsync(string path)
    {
        var type = $"o{Guid.NewGuid():N}"[..12] + ".device";
        var endpoint = await _silo.Endpoints.CreateEndpointAsync(
            new CreateEndpointRequest { Endpoint = new Endpoint { Name = "receiver", Url = $"{_receiver.Url}{path}" } }, Admin());
        await _silo.Webhooks.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id } },
        }, Admin());
        return type;
    }

    private Task<PublishResponse> PublishAsync(string type, Metadata? metadata)
    {
        var headers = Admin();
        foreach (var entry in metadata ?? [])
        {
            headers.Add(entry);
        }

        return _silo.Events.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = type, Event = "created", Data = new Struct { Fields = { ["n"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(1) } } },
        }, headers).ResponseAsync;
    }

    private static Metadata Admin() => new() { { "authorization", $"Bearer {AdminKey}" } };

    private async Task<string> ScrapeAsync()
    {
        using var response = await GetAsync("/metrics", ReaderKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await _http.SendAsync(request);
    }

    /// <summary>The sum of the samples of metric <paramref name="name"/> (with <paramref name="label"/> among their
    /// labels, when given); 0 when there are none.</summary>
    private static double Value(string exposition, string name, string? label = null) => exposition
        .Split('\n')
        .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{'
            && (label is null || line.Contains(label, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [GeneratedRegex(@"^orleans_\w+", RegexOptions.Multiline)]
    private static partial Regex OrleansMetric();

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")]
    private static partial Regex SiloStampedLine();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")]
    private static partial Regex UtcStamp();

    [GeneratedRegex("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$")]
    private static partial Regex TraceParent();
}
