using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A throwaway CA and a server certificate for 127.0.0.1 that it issued, for TLS tests.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Webhooks Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        Server = Issue();

        System.IO.Directory.CreateDirectory(Directory);
        AuthorityPemPath = Path.Combine(Directory, $"ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(AuthorityPemPath, Authority.ExportCertificatePem());
    }

    /// <summary>A new certificate for 127.0.0.1 from <see cref="Authority"/> (a renewal, or a client's certificate).</summary>
    public X509Certificate2 Issue(string subject = "CN=127.0.0.1", string usage = "1.3.6.1.5.5.7.3.1")
    {
        var now = DateTimeOffset.UtcNow;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var issued = request.Create(Authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        // Kestrel needs the private key in a form it can load on every platform.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The test silos' Delivery:CertificateDirectory, where CA files are written.</summary>
    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), "webhooks-test-certificates");

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Server { get; }

    public string AuthorityPemPath { get; }

    public void Dispose()
    {
        File.Delete(AuthorityPemPath);
        Authority.Dispose();
        Server.Dispose();
    }
}
