using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Endpoints.Sending;

/// <summary>Standard Webhooks signatures (standardwebhooks.com): <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 of
/// "{webhook-id}.{webhook-timestamp}.{body}"&gt;</c>, keyed by the bytes a <c>whsec_</c> secret encodes in base64.
/// Several signatures (a rotation's old and new secret) go space-separated in the one header.</summary>
/// <remarks>Written here rather than taken from a library: the scheme is one HMAC, and no .NET package for it is
/// available to this build; the tests verify it with the reference implementation (the standardwebhooks npm package).</remarks>
public static class StandardWebhooksSigner
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    private const int MinKeyBytes = 24;
    private const int MaxKeyBytes = 64;
    private const int GeneratedKeyBytes = 32;

    /// <summary>A new random secret: "whsec_" and 32 random bytes in base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>Why <paramref name="secret"/> is not a Standard Webhooks secret; null when it is.</summary>
    public static string? Problem(string secret)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return $"a Standard Webhooks secret starts with {SecretPrefix} followed by base64 (leave it empty to have one generated)";
        }

        var key = Key(secret);
        return key is null ? $"the part after {SecretPrefix} is not base64"
            : key.Length is < MinKeyBytes or > MaxKeyBytes ? $"the key must be {MinKeyBytes} to {MaxKeyBytes} bytes, not {key.Length}"
            : null;
    }

    /// <summary>The value of webhook-signature for one message, signed with each secret given (null ones skipped).</summary>
    public static string Sign(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body, string secret, string? previousSecret)
    {
        var signed = SignedContent(messageId, timestamp, body);
        var signature = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret)!, signed));
        return previousSecret is null || Key(previousSecret) is not { } previous
            ? signature
            : signature + " v1," + Convert.ToBase64String(HMACSHA256.HashData(previous, signed));
    }

    public static string Timestamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static byte[] SignedContent(string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{messageId}.{Timestamp(timestamp)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return content;
    }

    private static byte[]? Key(string secret)
    {
        try
        {
            return Convert.FromBase64String(secret[SecretPrefix.Length..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
