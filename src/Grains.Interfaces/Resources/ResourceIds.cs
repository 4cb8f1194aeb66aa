using System.Buffers;
using System.Security.Cryptography;
using Webhooks.Errors;

namespace Webhooks.Resources;

/// <summary>Ids of endpoints and webhooks: 1-64 of [a-z0-9_-], starting with a letter or digit, so they are
/// safe in URLs, logs and delivery ids ("{endpoint}.{sequence}").</summary>
public static class ResourceIds
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-");
    private static readonly SearchValues<char> First = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && First.Contains(id[0]) && !id.AsSpan().ContainsAnyExcept(Allowed);

    public static void Validate(string? id, string field)
    {
        if (!IsValid(id))
        {
            throw new InvalidFieldException(field, $"must be 1-{MaxLength} characters of a-z, 0-9, '_' and '-', starting with a letter or digit");
        }
    }

    /// <summary>A new random id such as "ep_5kq3x0m2c1vb8r7t".</summary>
    public static string New(string prefix)
    {
        const string alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[bytes[i] & 31];
        }

        return $"{prefix}_{chars}";
    }
}
