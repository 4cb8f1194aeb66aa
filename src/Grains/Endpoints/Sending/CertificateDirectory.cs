using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Webhooks.Endpoints.Sending;

/// <summary>The one directory endpoints' certificate files are read from (Delivery:CertificateDirectory). A name
/// resolves inside it or not at all, and every problem — outside the directory, missing, unreadable, not PEM — reads
/// the same, so that the API cannot be used to learn which files exist on the silo's host.</summary>
public sealed class CertificateDirectory(IOptions<DeliveryOptions> options)
{
    public const string Refusal = "is not a readable PEM certificate in the certificate directory (Delivery:CertificateDirectory)";

    public const string ClientRefusal = "is not a readable PEM certificate with its private key in the certificate directory (Delivery:CertificateDirectory)";

    /// <summary>The certificates in the file <paramref name="name"/> names (relative to the directory, or absolute
    /// inside it); null when there are none to be had.</summary>
    public X509Certificate2Collection? TryLoad(string name)
    {
        if (Resolve(name) is not { } path)
        {
            return null;
        }

        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            return certificates.Count > 0 ? certificates : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The certificate with its private key in the file <paramref name="name"/> names (both in one PEM
    /// file); null when there is none to be had.</summary>
    public X509Certificate2? TryLoadClientCertificate(string name)
    {
        if (Resolve(name) is not { } path)
        {
            return null;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(path, path);
            // SslStream on Linux wants the key in a persisted form; a PKCS#12 round trip gives it one.
            return certificate.HasPrivateKey ? X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private string? Resolve(string name)
    {
        if (options.Value.CertificateDirectory is not { Length: > 0 } configured || name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(configured)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(directory, name));
        if (!path.StartsWith(directory, StringComparison.Ordinal))
        {
            return null;
        }

        // A link inside the directory may point anywhere: follow it and check where it ends.
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
            return target.StartsWith(directory, StringComparison.Ordinal) ? target : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
