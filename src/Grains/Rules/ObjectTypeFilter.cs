using System.Collections.Immutable;
using Webhooks.Events;

namespace Webhooks.Rules;

/// <summary>Which object types a webhook covers, and which streams it therefore listens to.</summary>
/// <remarks>Exact types subscribe to their own streams. Any "*" or "prefix.*" pattern subscribes to the
/// all-types stream instead (and only to it, so no event arrives twice), and is filtered here.</remarks>
public sealed class ObjectTypeFilter
{
    private readonly bool _all;
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _prefixes = [];

    public ObjectTypeFilter(IEnumerable<string> patterns)
    {
        foreach (var pattern in patterns)
        {
            if (pattern == "*")
            {
                _all = true;
            }
            else if (pattern.EndsWith(".*", StringComparison.Ordinal))
            {
                _prefixes.Add(pattern[..^1]);
            }
            else
            {
                _exact.Add(pattern);
            }
        }

        StreamKeys = _all || _prefixes.Count > 0 ? [EventStreams.AllTypesKey] : [.. _exact.Order(StringComparer.Ordinal)];
    }

    public ImmutableArray<string> StreamKeys { get; }

    public bool Matches(string objectType)
    {
        if (_all || _exact.Contains(objectType))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (objectType.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
