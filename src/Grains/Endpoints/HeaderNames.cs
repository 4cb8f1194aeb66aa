using System.Buffers;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints;

/// <summary>HTTP header name rules (RFC 9110 tokens) and the names that callers may not set.</summary>
public static class HeaderNames
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>Set by the transport or by us; a configured value would be ignored or break the request.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
        PayloadSigner.HeaderName,
    };

    public static bool IsToken(string name) => name.Length is > 0 and <= 256 && !name.AsSpan().ContainsAnyExcept(TokenChars);
}
