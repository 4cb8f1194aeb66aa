using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Flows;

/// <summary>The endpoint's transport settings: TLS verification, a custom CA, and the request timeout.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TransportTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private readonly TestCertificates _certificates = new();
    private TestReceiver _https = null!;
    private TestReceiver _plain = null!;

    public async Task InitializeAsync()
    {
        _https = await TestReceiver.StartAsync(_certificates.Server);
        _plain = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _https.DisposeAsync();
        await _plain.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task HttpsEndpoint_WithUntrustedCertificate_FailsEveryAttemptAndSendsNothing()
    {
        var endpoint = await DeliverOneAsync(_https.Url + "/untrusted", d => d);

        var delivery = await FinishedDeliveryAsync(endpoint);
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.All(delivery.Attempts, a => Assert.Equal(0, a.StatusCode));
        Assert.All(delivery.Attempts, a => Assert.NotEmpty(a.Error));
        Assert.Empty(_https.For("/untrusted"));
    }

    [Fact]
    public async Task HttpsEndpoint_WithSslVerificationOff_Delivers()
    {
        var endpoint = await DeliverOneAsync(_https.Url + "/insecure", d => d with { SslVerification = false });

        await _https.WaitForAsync("/insecure", 1);
        Assert.Equal(DeliveryStatus.Succeeded, (await FinishedDeliveryAsync(endpoint)).Status);
    }

    [Fact]
    public async Task HttpsEndpoint_WithTheIssuingCaFile_Delivers()
    {
        var endpoint = await DeliverOneAsync(_https.Url + "/ca", d => d with { CaFilePath = _certificates.AuthorityPemPath });

        await _https.WaitForAsync("/ca", 1);
        Assert.Equal(DeliveryStatus.Succeeded, (await FinishedDeliveryAsync(endpoint)).Status);
    }

    [Fact]
    public async Task CreateEndpoint_WithUnreadableCaFile_IsInvalid()
    {
        var error = await Assert.ThrowsAsync<InvalidFieldException>(() => _scenario.EndpointAsync(
            _https.Url, d => d with { CaFilePath = "/nonexistent/ca.pem" }));

        Assert.Equal("endpoint.ca_file_path", error.Field);
    }

    [Fact]
    public async Task SlowReceiver_PastTheEndpointTimeout_IsRecordedAsATimedOutAttempt()
    {
        _plain.Stall();
        var endpoint = await DeliverOneAsync(_plain.Url + "/slow", d => d with { Timeout = TimeSpan.FromMilliseconds(200) });

        var delivery = await FinishedDeliveryAsync(endpoint);
        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.All(delivery.Attempts, a => Assert.Contains("timed out", a.Error, StringComparison.Ordinal));
        Assert.All(delivery.Attempts, a => Assert.True(a.Duration < TimeSpan.FromSeconds(5), $"attempt took {a.Duration}"));
    }

    private async Task<string> DeliverOneAsync(string url, Func<EndpointDefinition, EndpointDefinition> configure)
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync(url, configure);
        await _scenario.WebhookAsync(type, endpoint);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));
        return endpoint;
    }

    private async Task<DeliveryRecord> FinishedDeliveryAsync(string endpoint)
    {
        var page = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 1 && p.Items[0].Status != DeliveryStatus.Pending,
            $"the delivery to {endpoint} finished");
        return page.Items[0];
    }
}
