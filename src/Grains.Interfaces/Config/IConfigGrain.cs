using System.Collections.Immutable;

namespace Webhooks.Config;

/// <summary>The whole configuration at once: export every endpoint and webhook, or import a document that
/// creates, updates and (with prune) deletes until what is stored matches it.</summary>
[Alias("webhooks.IConfigGrain")]
public interface IConfigGrain : IGrainWithIntegerKey
{
    /// <summary>Every endpoint and webhook, in id order; secrets and header values only with
    /// <paramref name="includeSecrets"/> (otherwise no secret, and header values "***").</summary>
    [Alias("ExportAsync")]
    Task<ConfigDocument> ExportAsync(bool includeSecrets, CancellationToken cancellationToken = default);

    /// <summary>Checks the whole document first (nothing is stored when any part of it is invalid), then applies it,
    /// unless <paramref name="dryRun"/>. Returns what was (or would be) done to each resource.</summary>
    [Alias("ImportAsync")]
    Task<ImmutableArray<ConfigChange>> ImportAsync(ConfigDocument document, bool dryRun, bool prune, CancellationToken cancellationToken = default);
}
