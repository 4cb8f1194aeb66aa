using System.Text.Json;

namespace Webhooks.Conditions.NetBox;

/// <summary>What a NetBox condition set is evaluated against: the event's data at the top level, with
/// <c>snapshots</c> ({prechange, postchange}) beside its fields, as NetBox builds it for event rules.</summary>
internal sealed class ConditionRoot
{
    private readonly JsonElement? _data;
    private readonly bool _hasSnapshots;
    private readonly object? _snapshots;
    private readonly bool _absent;

    /// <param name="data">The data object; null when the event carries none (every attribute outside
    /// <c>snapshots</c> is then absent: such a condition does not match, and negation does not turn that round).</param>
    /// <param name="hasSnapshots">Whether <paramref name="snapshots"/> is the value of <c>snapshots</c> (rather than a
    /// field of <paramref name="data"/>).</param>
    /// <param name="absent">The payload stands for absent data even though it is an object (test contexts).</param>
    public ConditionRoot(JsonElement? data, bool hasSnapshots = false, object? snapshots = null, bool absent = false)
    {
        _data = data is { ValueKind: JsonValueKind.Object } ? data : null;
        (_hasSnapshots, _snapshots, _absent) = (hasSnapshots, snapshots, absent);
    }

    /// <summary>The event carried no data object.</summary>
    public bool DataAbsent => _absent || _data is null;

    public bool TryGet(string key, out object? value)
    {
        if (_hasSnapshots && key == "snapshots")
        {
            value = _snapshots;
            return true;
        }

        return PythonValues.TryGet(_data, key, out value);
    }

    public IEnumerable<(string Key, object? Value)> Entries()
    {
        if (_data is { } data)
        {
            foreach (var property in data.EnumerateObject())
            {
                if (!(_hasSnapshots && property.Name == "snapshots"))
                {
                    yield return (property.Name, PythonValues.Normalize(property.Value));
                }
            }
        }

        if (_hasSnapshots)
        {
            yield return ("snapshots", _snapshots);
        }
    }
}
