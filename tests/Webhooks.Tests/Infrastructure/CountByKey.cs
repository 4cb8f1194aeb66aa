using System.Collections.Concurrent;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Counts by kind, from concurrent callers (publish failures by cause, accepted batches by gateway), printed
/// in key order so that two runs' reports compare line by line.</summary>
public sealed class CountByKey
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string key) => _counts.AddOrUpdate(key, 1, (_, n) => n + 1);

    public override string ToString() => _counts.IsEmpty
        ? "none"
        : string.Join(", ", _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));
}
