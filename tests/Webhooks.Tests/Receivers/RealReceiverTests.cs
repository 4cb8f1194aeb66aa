using Microsoft.AspNetCore.Server.Kestrel.Core;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.ProcessHarness;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Receivers;

/// <summary>Receivers as people run them (Python's and Node's servers as processes of their own, Kestrel with TLS): a
/// thousand deliveries in order reach each one with no failed attempt, whatever its HTTP version and however soon it
/// closes idle connections.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RealReceiverTests(ClusterFixture fixture)
{
    private const int Deliveries = 1_000;

    [Theory]
    [InlineData("python-http10")]
    [InlineData("python-http11")]
    [InlineData("node")]
    [InlineData("node-short-keep-alive")]
    public async Task AThousandDeliveries_ReachTheReceiver_WithoutASpuriousFailedAttempt(string receiver)
    {
        var port = LoopbackPorts.Free(1)[0];
        var scripts = Path.Combine(AppContext.BaseDirectory, "Receivers");
        var (file, arguments) = receiver switch
        {
            "python-http10" => ("python3", new[] { Path.Combine(scripts, "python_receiver.py"), $"{port}", "http10" }),
            "python-http11" => ("python3", [Path.Combine(scripts, "python_receiver.py"), $"{port}", "http11"]),
            "node" => ("node", [Path.Combine(scripts, "node_receiver.js"), $"{port}"]),
            // Closes a connection idle for 20 ms: deliveries arrive in bursts with gaps around that long.
            _ => ("node", [Path.Combine(scripts, "node_receiver.js"), $"{port}", "20"]),
        };
        await using var process = ChildProcess.Start(receiver, file, arguments, Path.Combine(Path.GetTempPath(), "webhooks-tests", $"{receiver}-{port}.log"));
        await Poll.UntilAsync(() => process.ReadLog().Contains("listening", StringComparison.Ordinal) || process.HasExited, $"{receiver} listening");
        Assert.False(process.HasExited, process.Tail(20));

        await DeliverAThousandAsync($"http://127.0.0.1:{port}/hooks", d => d);
    }

    /// <summary>Kestrel with TLS, speaking HTTP/1.1 only, HTTP/2 only, or both (where HTTP/2 is what gets
    /// negotiated): every delivery arrives on the first attempt, over the protocol the receiver offers.</summary>
    [Theory]
    [InlineData(HttpProtocols.Http1, "HTTP/1.1")]
    [InlineData(HttpProtocols.Http2, "HTTP/2")]
    [InlineData(HttpProtocols.Http1AndHttp2, "HTTP/2")]
    public async Task AThousandDeliveries_ReachKestrelOverTls_OnTheProtocolItOffers(HttpProtocols protocols, string expected)
    {
        using var certificates = new TestCertificates();
        await using var receiver = await TestReceiver.StartAsync(certificates.Server, protocols: protocols);

        await DeliverAThousandAsync($"{receiver.Url}/tls", d => d with { CaFilePath = Path.GetFileName(certificates.AuthorityPemPath) });

        Assert.Equal(Deliveries, receiver.For("/tls").Count);
        Assert.All(receiver.For("/tls"), r => Assert.Equal(expected, r.Protocol));
    }

    private async Task DeliverAThousandAsync(string url, Func<EndpointDefinition, EndpointDefinition> configure)
    {
        var scenario = new Scenario(fixture.Client);
        var type = scenario.Type();
        var endpointId = await scenario.EndpointAsync(url, configure);
        await scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = fixture.Client.GetGrain<IEndpointGrain>(endpointId);
        var random = new Random(7);
        for (var sent = 0; sent < Deliveries;)
        {
            var burst = Math.Min(Deliveries - sent, random.Next(1, 20));
            await scenario.PublishAsync([.. Enumerable.Range(sent, burst).Select(n => Scenario.Event(type, "created", new { n }))]);
            sent += burst;
            // Let the endpoint go idle now and then, so that a receiver's idle timeout meets the next request.
            await Poll.UntilAsync(async () => (await endpoint.GetStatusAsync()).Delivered >= sent - 5, $"{sent - 5} delivered", TimeSpan.FromSeconds(60));
        }

        var status = await Poll.ForAsync(() => endpoint.GetStatusAsync(), s => s.Delivered == Deliveries || s.Failed > 0 || s.Attempts > s.Delivered + s.InFlight,
            $"{Deliveries} delivered", TimeSpan.FromSeconds(120));
        Assert.True(status.Attempts == Deliveries && status.Delivered == Deliveries,
            $"{status.Delivered} delivered in {status.Attempts} attempts, {status.Failed} failed; {await FailedAttemptAsync(endpointId)}");
    }

    /// <summary>The first failed attempt among the endpoint's deliveries, to say what went wrong.</summary>
    private async Task<string> FailedAttemptAsync(string endpointId)
    {
        var log = fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey);
        string? token = null;
        do
        {
            var page = await log.ListAsync(new DeliveryQuery { EndpointId = endpointId, PageSize = 100, PageToken = token });
            if (page.Items.SelectMany(d => d.Attempts).FirstOrDefault(a => a.Error.Length > 0 || a.StatusCode is < 200 or > 299) is { } failed)
            {
                return $"a failed attempt: {failed.StatusCode} {failed.Error}";
            }

            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));
        return "no failed attempt in the log";
    }
}
