using System.Security.Cryptography.X509Certificates;
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
        // By name within Delivery:CertificateDirectory.
        var endpoint = await DeliverOneAsync(_https.Url + "/ca", d => d with { CaFilePath = Path.GetFileName(_certificates.AuthorityPemPath) });

        await _https.WaitForAsync("/ca", 1);
        Assert.Equal(DeliveryStatus.Succeeded, (await FinishedDeliveryAsync(endpoint)).Status);
    }

    [Fact]
    public async Task MutualTls_TheEndpointsClientCertificateIsPresented_AndWithoutOneTheReceiverRefuses()
    {
        await using var strict = await TestReceiver.StartAsync(_certificates.Server, clientAuthority: _certificates.Authority);
        using var client = _certificates.Issue("CN=webhooks-client", usage: "1.3.6.1.5.5.7.3.2");
        var clientFile = Path.Combine(TestCertificates.Directory, $"client-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(clientFile, client.ExportCertificatePem() + "\n" + client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        try
        {
            var ca = Path.GetFileName(_certificates.AuthorityPemPath);
            var with = await DeliverOneAsync(strict.Url + "/mtls", d => d with { CaFilePath = ca, ClientCertificatePath = Path.GetFileName(clientFile) });
            await strict.WaitForAsync("/mtls", 1);
            Assert.Equal(DeliveryStatus.Succeeded, (await FinishedDeliveryAsync(with)).Status);

            var without = await DeliverOneAsync(strict.Url + "/no-client-certificate", d => d with { CaFilePath = ca });
            var refused = await FinishedDeliveryAsync(without);
            Assert.Equal(DeliveryStatus.Failed, refused.Status);
            Assert.All(refused.Attempts, a => Assert.Equal(0, a.StatusCode));
            Assert.Empty(strict.For("/no-client-certificate"));

            // A file with a certificate but no private key cannot be presented.
            var error = await Assert.ThrowsAsync<InvalidFieldException>(() => _scenario.EndpointAsync(strict.Url, d => d with { ClientCertificatePath = ca }));
            Assert.Equal("endpoint.client_certificate_path", error.Field);
        }
        finally
        {
            File.Delete(clientFile);
        }
    }

    [Fact]
    public async Task CreateEndpoint_WithTheCaFileByItsAbsolutePathInsideTheDirectory_IsValid()
    {
        var endpoint = await _scenario.EndpointAsync(_https.Url, d => d with { CaFilePath = _certificates.AuthorityPemPath });

        Assert.Equal(_certificates.AuthorityPemPath, (await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetAsync()).Definition.CaFilePath);
    }

    [Fact]
    public async Task CreateEndpoint_WithACaFileOutsideTheDirectoryOrMissing_GetsOneAnswerThatRevealsNothing()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"webhooks-outside-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(outside, _certificates.Authority.ExportCertificatePem());
        var link = Path.Combine(TestCertificates.Directory, $"link-{Guid.NewGuid():N}.pem");
        File.CreateSymbolicLink(link, outside);
        try
        {
            string[] names = ["/nonexistent/ca.pem", "/etc/hostname", outside, $"../{Path.GetFileName(outside)}", Path.GetFileName(link), "missing.pem", "/etc/passwd"];
            var errors = new List<string>();
            foreach (var name in names)
            {
                var error = await Assert.ThrowsAsync<InvalidFieldException>(() => _scenario.EndpointAsync(_https.Url, d => d with { CaFilePath = name }));
                Assert.Equal("endpoint.ca_file_path", error.Field);
                errors.Add(error.Reason);
            }

            Assert.Single(errors.Distinct());
            Assert.DoesNotContain("/etc", errors[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(link);
            File.Delete(outside);
        }
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
