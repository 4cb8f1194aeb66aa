using System.Buffers;
using Webhooks.Endpoints.Sending;

namespace Webhooks.Endpoints;

/// <summary>HTTP header rules: names are RFC 9110 tokens, values hold no control characters (a CR or LF would end the
/// header and start another), and some names only the transport or this service may set.</summary>
public static class HeaderNames
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    // Every C0 control but horizontal tab (which RFC 9110 allows inside a value), and DEL.
    private static readonly SearchValues<char> ControlChars = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c != '\t').Select(c => (char)c), '\u007f']);

    /// <summary>Set by the transport or by us; a configured value would be ignored, break the request or forge our
    /// own headers (the signature, the delivery id).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
        "Proxy-Connection", PayloadSigner.HeaderName, StandardWebhooksSigner.IdHeader, StandardWebhooksSigner.TimestampHeader,
        StandardWebhooksSigner.SignatureHeader,
    };

    /// <summary>Our own headers all start with this.</summary>
    public const string OwnPrefix = "X-Hook-";

    public static bool IsToken(string name) => name.Length is > 0 and <= 256 && !name.AsSpan().ContainsAnyExcept(TokenChars);

    public static bool IsReserved(string name) => Reserved.Contains(name) || name.StartsWith(OwnPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first control character in <paramref name="value"/>, or null when there is none.</summary>
    public static char? FirstControlCharacter(string value) =>
        value.AsSpan().IndexOfAny(ControlChars) is var at and >= 0 ? value[at] : null;

    /// <summary>The value without control characters (what the header_safe filter does).</summary>
    public static string StripControlCharacters(string value)
    {
        if (!value.AsSpan().ContainsAny(ControlChars))
        {
            return value;
        }

        return string.Create(value.Length - value.Count(c => ControlChars.Contains(c)), value, static (span, source) =>
        {
            var at = 0;
            foreach (var c in source)
            {
                if (!ControlChars.Contains(c))
                {
                    span[at++] = c;
                }
            }
        });
    }

    /// <summary>Why a header cannot be sent as configured or rendered; null when it can.</summary>
    public static string? Problem(string name, string value)
    {
        if (!IsToken(name))
        {
            return $"'{Shorten(name)}' is not a valid header name";
        }

        if (IsReserved(name))
        {
            return $"'{name}' is set by the service or the transport and cannot be configured";
        }

        return FirstControlCharacter(value) is { } control
            ? $"the value of '{name}' holds the control character U+{(int)control:X4} (line breaks would inject headers; the header_safe filter strips them)"
            : null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
