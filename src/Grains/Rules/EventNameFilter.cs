namespace Webhooks.Rules;

/// <summary>Which events a webhook fires on: named ones, or "*" for all.</summary>
public sealed class EventNameFilter(IEnumerable<string> events)
{
    private readonly HashSet<string> _events = new(events, StringComparer.Ordinal);

    public bool Matches(string eventName) => _events.Contains("*") || _events.Contains(eventName);
}
