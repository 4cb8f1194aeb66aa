using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Webhooks.Endpoints;
using Webhooks.Outbound;

namespace Webhooks.Endpoints.Sending;

/// <summary>One pooled <see cref="SocketsHttpHandler"/> per TLS setting, shared by every endpoint with that
/// setting: "verify", "insecure", or "ca:" plus a CA file path. Every one connects through the
/// <see cref="OutboundConnector"/>.</summary>
internal sealed class DeliveryHttpClients(OutboundConnector connector, CertificateDirectory certificates) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private const string Prefix = "webhooks-delivery:";

    public static string NameFor(EndpointDefinition endpoint) =>
        !endpoint.SslVerification ? Prefix + "insecure"
        : endpoint.CaFilePath.Length > 0 ? Prefix + "ca:" + endpoint.CaFilePath
        : Prefix + "verify";

    public void Configure(HttpClientFactoryOptions options) { }

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        var mode = name[Prefix.Length..];
        // The handler pools connections itself and renews them (PooledConnectionLifetime), so the factory
        // never needs to rotate it.
        options.HandlerLifetime = Timeout.InfiniteTimeSpan;
        options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan);
        options.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = CreateHandler(mode));
    }

    private SocketsHttpHandler CreateHandler(string mode)
    {
        var handler = new SocketsHttpHandler
        {
            // A 3xx is an answer to record, not a place to go: following it could reach hosts nobody configured.
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = connector.ConnectAsync,
        };

        if (mode == "insecure")
        {
#pragma warning disable CA5359 // The operator turned ssl_verification off for this endpoint, as NetBox allows.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (mode.StartsWith("ca:", StringComparison.Ordinal))
        {
            // A file that went away since the endpoint was saved trusts nothing: every attempt fails its TLS check.
            var authorities = certificates.TryLoad(mode[3..]) ?? [];
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                ValidateAgainst(authorities, certificate, errors);
        }

        return handler;
    }

    private static bool ValidateAgainst(X509Certificate2Collection authorities, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
