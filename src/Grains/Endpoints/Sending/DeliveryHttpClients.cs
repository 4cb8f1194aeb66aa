using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Webhooks.Endpoints;
using Webhooks.Outbound;

namespace Webhooks.Endpoints.Sending;

/// <summary>One pooled <see cref="SocketsHttpHandler"/> per TLS setting, shared by every endpoint with that
/// setting: "verify", "insecure", or "ca:" plus a CA file name, then "|client:" plus a client certificate file name
/// for mutual TLS. Every one connects through the
/// <see cref="OutboundConnector"/>.</summary>
internal sealed class DeliveryHttpClients(OutboundConnector connector, CertificateDirectory certificates) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private const string Prefix = "webhooks-delivery:";

    private const string ClientSeparator = "|client:";

    public static string NameFor(EndpointDefinition endpoint) =>
        Prefix
        + (!endpoint.SslVerification ? "insecure" : endpoint.CaFilePath.Length > 0 ? "ca:" + endpoint.CaFilePath : "verify")
        + (endpoint.ClientCertificatePath.Length > 0 ? ClientSeparator + endpoint.ClientCertificatePath : "");

    public void Configure(HttpClientFactoryOptions options) { }

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        var setting = name[Prefix.Length..];
        var separator = setting.IndexOf(ClientSeparator, StringComparison.Ordinal);
        var mode = separator < 0 ? setting : setting[..separator];
        var client = separator < 0 ? null : setting[(separator + ClientSeparator.Length)..];
        // The handler pools connections itself and renews them (PooledConnectionLifetime), so the factory
        // never needs to rotate it.
        options.HandlerLifetime = Timeout.InfiniteTimeSpan;
        options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan);
        options.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = CreateHandler(mode, client));
    }

    private SocketsHttpHandler CreateHandler(string mode, string? client)
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
            // The attempt's own span is the trace context receivers get (DeliverySender sets it); HttpClient's
            // would name a span nobody records.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        };

        // A client certificate that went away since the endpoint was saved is not presented: the receiver decides.
        if (client is not null && certificates.TryLoadClientCertificate(client) is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

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
