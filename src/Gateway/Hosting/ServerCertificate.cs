using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Webhooks.Gateway.Hosting;

/// <summary>The listeners' TLS certificate, from PEM files (Gateway:TlsCertificateFile, Gateway:TlsKeyFile), loaded
/// again when either file changes, so that a renewed certificate is served to new connections without a restart.</summary>
public sealed class ServerCertificate
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private readonly string _certificateFile;
    private readonly string? _keyFile;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedVersions;
    private DateTimeOffset _nextCheck;

    public ServerCertificate(string certificateFile, string? keyFile, TimeProvider time)
    {
        (_certificateFile, _keyFile, _time) = (certificateFile, keyFile, time);
        _loadedVersions = Versions();
        _current = Load(certificateFile, keyFile);
        _nextCheck = time.GetUtcNow() + CheckInterval;
    }

    /// <summary>The certificate to present; a renewal that cannot be loaded (half-written files) keeps the previous
    /// one until it can.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = _time.GetUtcNow();
            if (now < _nextCheck)
            {
                return _current;
            }

            lock (_lock)
            {
                if (now >= _nextCheck)
                {
                    _nextCheck = now + CheckInterval;
                    var versions = Versions();
                    if (versions != _loadedVersions)
                    {
                        try
                        {
                            _current = Load(_certificateFile, _keyFile);
                            _loadedVersions = versions;
                        }
                        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
                        {
                            // Try again at the next check.
                        }
                    }
                }

                return _current;
            }
        }
    }

    /// <summary>Loads the certificate with its private key; throws with a message fit for one line at start-up.</summary>
    public static X509Certificate2 Load(string certificateFile, string? keyFile)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        if (!certificate.HasPrivateKey)
        {
            throw new CryptographicException($"{certificateFile} holds no private key (set Gateway:TlsKeyFile)");
        }

        // Kestrel on some platforms needs the key in a persisted form; a PKCS#12 round trip gives it one.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private (DateTime, DateTime) Versions() =>
        (File.GetLastWriteTimeUtc(_certificateFile), _keyFile is null ? default : File.GetLastWriteTimeUtc(_keyFile));
}
