using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Gateway;

/// <summary>Both listeners serve TLS from PEM files through the real gateway, over gRPC and JSON; a plain-text
/// client is refused, and a renewed certificate is served to new connections without a restart.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TlsListenerTests(ClusterFixture fixture) : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("webhooks-tls-").FullName;

    private string CertificateFile => Path.Combine(_directory, "server.pem");

    private string KeyFile => Path.Combine(_directory, "server.key");

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task BothListenersServeTls_PlainTextIsRefused_AndARenewedCertificateIsServedWithoutARestart()
    {
        Write(_certificates.Server);
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, new Dictionary<string, string?>
        {
            ["Gateway:GrpcUrl"] = "https://127.0.0.1:0",
            ["Gateway:HttpUrl"] = "https://127.0.0.1:0",
            ["Gateway:TlsCertificateFile"] = CertificateFile,
            ["Gateway:TlsKeyFile"] = KeyFile,
        });
        Assert.StartsWith("https://", gateway.GrpcUrl, StringComparison.Ordinal);
        Assert.StartsWith("https://", gateway.HttpUrl, StringComparison.Ordinal);

        Assert.Equal(_certificates.Server.Thumbprint, await GrpcCertificateAsync(gateway.GrpcUrl));
        Assert.Equal(_certificates.Server.Thumbprint, await JsonCertificateAsync(gateway.HttpUrl));

        using var plain = GrpcChannel.ForAddress(gateway.GrpcUrl.Replace("https://", "http://", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new Api.V1.Endpoints.EndpointsClient(plain).ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1 }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);

        using var renewed = _certificates.Issue();
        Write(renewed);
        await Poll.UntilAsync(async () => await GrpcCertificateAsync(gateway.GrpcUrl) == renewed.Thumbprint,
            "new connections get the renewed certificate", TimeSpan.FromSeconds(30));
        Assert.Equal(renewed.Thumbprint, await JsonCertificateAsync(gateway.HttpUrl));
    }

    private void Write(X509Certificate2 certificate)
    {
        File.WriteAllText(KeyFile, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificateFile, certificate.ExportCertificatePem());
    }

    /// <summary>Calls the gRPC API over a new TLS connection that trusts the test CA; returns what the server presented.</summary>
    private async Task<string?> GrpcCertificateAsync(string url)
    {
        string? presented = null;
        using var handler = TrustingHandler(thumbprint => presented = thumbprint);
        using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        await new Api.V1.Endpoints.EndpointsClient(channel).ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1 });
        return presented;
    }

    private async Task<string?> JsonCertificateAsync(string url)
    {
        string? presented = null;
        using var http = new HttpClient(TrustingHandler(thumbprint => presented = thumbprint));
        using var response = await http.GetAsync($"{url}/v1/endpoints?pageSize=1");
        response.EnsureSuccessStatusCode();
        return presented;
    }

    private SocketsHttpHandler TrustingHandler(Action<string> seen) => new()
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                seen(presented.Thumbprint);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_certificates.Authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(presented);
            },
        },
    };
}
