using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Webhooks.Errors;

namespace Webhooks.Endpoints;

/// <summary>An endpoint's secret and header values are write-only: reads show header values as
/// <see cref="Masked"/> and the secret as a short fingerprint, and an update that sends a masked value back keeps
/// the stored one, so that read-modify-write clients do not erase what they cannot see.</summary>
public static class EndpointSecrets
{
    public const string Masked = "***";

    /// <summary>"sha256:" and the first 8 hex digits of the secret's SHA-256: enough to tell two secrets apart or
    /// check which one is set, too little to test guesses of a strong secret against.</summary>
    public static string Fingerprint(string? secret) =>
        secret is null ? "" : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))[..8];

    public static ImmutableArray<HttpHeader> Mask(ImmutableArray<HttpHeader> headers) =>
        [.. headers.Select(h => h with { Value = Masked })];

    /// <summary>The new headers, where a masked value stands for the value stored under the same name.</summary>
    public static ImmutableArray<HttpHeader> Unmask(ImmutableArray<HttpHeader> changes, ImmutableArray<HttpHeader> current)
    {
        var result = ImmutableArray.CreateBuilder<HttpHeader>(changes.Length);
        for (var i = 0; i < changes.Length; i++)
        {
            var header = changes[i];
            if (header.Value != Masked)
            {
                result.Add(header);
                continue;
            }

            var stored = current.FirstOrDefault(h => string.Equals(h.Name.Trim(), header.Name.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidFieldException($"endpoint.headers[{i}].value", $"'{Masked}' keeps the stored value, but no header '{header.Name}' is stored");
            result.Add(header with { Value = stored.Value });
        }

        return result.MoveToImmutable();
    }

    /// <summary>The longest a previous secret may keep signing after a rotation.</summary>
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    /// <summary>The definition with <paramref name="secret"/> (null: Standard Webhooks generates one) signing from now on,
    /// and the current secret still signing for <paramref name="overlap"/>.</summary>
    public static EndpointDefinition Rotate(EndpointDefinition current, string? secret, TimeSpan overlap, DateTimeOffset now)
    {
        if (overlap < TimeSpan.Zero || overlap > MaxOverlap)
        {
            throw new InvalidFieldException("overlap", $"must be between 0 and {MaxOverlap.TotalDays} days");
        }

        if (current.SignatureScheme == SignatureScheme.NetBox)
        {
            if (overlap > TimeSpan.Zero)
            {
                throw new InvalidFieldException("overlap", "NetBox's X-Hook-Signature carries one signature: rotate with no overlap, or sign with STANDARD_WEBHOOKS, which sends both");
            }

            if (string.IsNullOrEmpty(secret))
            {
                throw new InvalidFieldException("secret", "is required (only Standard Webhooks secrets are generated)");
            }
        }

        var keepPrevious = overlap > TimeSpan.Zero && current.Secret is not null;
        return current with
        {
            Secret = string.IsNullOrEmpty(secret) ? null : secret,
            PreviousSecret = keepPrevious ? current.Secret : null,
            PreviousSecretUntil = keepPrevious ? now + overlap : null,
        };
    }
}
