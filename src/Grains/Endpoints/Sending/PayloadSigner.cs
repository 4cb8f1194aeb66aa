using System.Security.Cryptography;
using System.Text;

namespace Webhooks.Endpoints.Sending;

/// <summary>NetBox-compatible signatures: X-Hook-Signature is the lowercase hex HMAC-SHA512 of the exact body bytes.</summary>
public static class PayloadSigner
{
    public const string HeaderName = "X-Hook-Signature";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), body));
}
