using System.Text.Json;
using System.Text.RegularExpressions;

namespace Webhooks.Conditions.NetBox;

/// <summary>One NetBox condition, <c>{attr, value, op, negate}</c>, with NetBox 4.7's semantics: a dotted path
/// through the context (element by element through lists), Python's comparisons, and <c>changed</c>/<c>unchanged</c>
/// comparing the attribute between the two snapshots.</summary>
internal sealed partial class NetBoxCondition : INetBoxRule
{
    private static readonly string[] Snapshots = ["prechange", "postchange"];

    private readonly string[] _keys;
    private readonly object? _value;
    private readonly Regex? _regex;

    public NetBoxCondition(string attr, NetBoxOperator op, JsonElement? value, bool negate, TimeSpan regexTimeout)
    {
        (Attr, Op, Negate) = (attr, op, negate);
        _keys = attr.Split('.');
        _value = value is { } v ? PythonValues.Normalize(v.Clone()) : null;
        if (op == NetBoxOperator.Regex && PythonValues.TryString(_value, out var pattern))
        {
            // re.match: anchored at the start only. Python's named groups are spelt (?P<name>…) and (?P=name).
            var dotNet = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
            dotNet = PythonBackReference().Replace(dotNet, @"\k<$1>");
            _regex = new Regex($"\\G(?:{dotNet})", RegexOptions.CultureInvariant, regexTimeout);
        }
    }

    public string Attr { get; }

    public NetBoxOperator Op { get; }

    public bool Negate { get; }

    /// <summary>Throws <see cref="ConditionException"/> where NetBox raises InvalidCondition.</summary>
    public bool Evaluate(ConditionRoot root)
    {
        if (Op is NetBoxOperator.Changed or NetBoxOperator.Unchanged)
        {
            if (!root.TryGet("snapshots", out var snapshots) || !PythonValues.IsDict(snapshots))
            {
                throw new ConditionException($"no snapshot data for the '{Op.Name()}' operator ({Attr}): it is meant for update and delete events");
            }

            var (pre, post) = ResolveInSnapshots(snapshots);
            var same = ReferenceEquals(pre, Missing) || ReferenceEquals(post, Missing)
                ? ReferenceEquals(pre, post)
                : PythonValues.PyEquals(pre, post);
            var result = Op == NetBoxOperator.Changed ? !same : same;
            return Negate ? !result : result;
        }

        if (root.DataAbsent && _keys[0] != "snapshots" && !root.TryGet(_keys[0], out _))
        {
            // Nothing was compared: no match, and negation does not make one.
            return false;
        }

        var absentSnapshot = ReferencesAbsentSnapshot(root);
        var value = absentSnapshot ? null : Resolve(root);
        bool matched;
        try
        {
            matched = Apply(value);
        }
        catch (PythonTypeError ex)
        {
            if (!absentSnapshot)
            {
                throw new ConditionException($"{Attr}: the value there cannot be compared with '{Op.Name()}' ({ex.Message})");
            }

            // An absent snapshot is null: a non-match, not a broken condition.
            matched = false;
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ConditionException($"{Attr}: the regex ran past its time limit");
        }

        return Negate ? !matched : matched;
    }

    private bool Apply(object? value) => Op switch
    {
        NetBoxOperator.Eq => PythonValues.PyEquals(value, _value),
        NetBoxOperator.Gt => PythonValues.Compare(value, _value) > 0,
        NetBoxOperator.Gte => PythonValues.Compare(value, _value) >= 0,
        NetBoxOperator.Lt => PythonValues.Compare(value, _value) < 0,
        NetBoxOperator.Lte => PythonValues.Compare(value, _value) <= 0,
        NetBoxOperator.In => PythonValues.Contains(_value, value),
        NetBoxOperator.Contains => PythonValues.Contains(value, _value),
        NetBoxOperator.Regex => PythonValues.TryString(value, out var text)
            ? _regex!.IsMatch(text)
            : throw new PythonTypeError($"expected string, not {PythonValues.TypeName(value)}"),
        _ => throw new InvalidOperationException($"operator {Op}"),
    };

    private object? Resolve(ConditionRoot root)
    {
        object? value;
        try
        {
            value = Walk(root, _keys, emptyListIsAbsent: false);
        }
        catch (PythonTypeError ex)
        {
            throw new ConditionException($"invalid key path: {Attr} ({ex.Message})");
        }

        return ReferenceEquals(value, Missing) ? throw new ConditionException($"invalid key path: {Attr}") : value;
    }

    /// <summary>A path into a snapshot that is null (a create has no prechange, a delete no postchange) reads as
    /// null, provided the rest of the path exists in the other snapshot (or there is none to check it against): a
    /// misspelt path still fails rather than matching every create or delete.</summary>
    private bool ReferencesAbsentSnapshot(ConditionRoot root)
    {
        if (_keys.Length < 2 || _keys[0] != "snapshots" || !root.TryGet("snapshots", out var snapshots) || !PythonValues.IsDict(snapshots))
        {
            return false;
        }

        var which = Array.IndexOf(Snapshots, _keys[1]);
        if (which < 0 || !PythonValues.TryGet(snapshots, _keys[1], out var snapshot) || snapshot is not null)
        {
            return false;
        }

        if (_keys.Length > 2 && PythonValues.TryGet(snapshots, Snapshots[1 - which], out var other) && other is not null)
        {
            try
            {
                return !ReferenceEquals(Walk(other, _keys.AsSpan(2), emptyListIsAbsent: true), Missing);
            }
            catch (PythonTypeError)
            {
                return false;
            }
        }

        return true;
    }

    private (object? Pre, object? Post) ResolveInSnapshots(object? snapshots)
    {
        var values = new object?[2];
        var available = false;
        var resolved = false;
        string? error = null;
        for (var i = 0; i < 2; i++)
        {
            PythonValues.TryGet(snapshots, Snapshots[i], out var snapshot);
            if (snapshot is null)
            {
                values[i] = Missing;
                continue;
            }

            available = true;
            try
            {
                values[i] = Walk(snapshot, _keys, emptyListIsAbsent: true);
                resolved |= !ReferenceEquals(values[i], Missing);
            }
            catch (PythonTypeError ex)
            {
                values[i] = Missing;
                error ??= ex.Message;
            }
        }

        if (!available)
        {
            throw new ConditionException($"no snapshot data for the '{Op.Name()}' operator ({Attr}): it is meant for update and delete events");
        }

        if (!resolved)
        {
            throw new ConditionException($"invalid key path for '{Op.Name()}': {Attr}{(error is null ? "" : $" ({error})")} is in neither snapshot "
                + "(snapshots hold raw field values: a choice field has no '.value')");
        }

        return (values[0], values[1]);
    }

    /// <summary>A key that is not there, or a null on the way.</summary>
    private static readonly object Missing = new();

    private static object? Walk(object? value, ReadOnlySpan<string> keys, bool emptyListIsAbsent)
    {
        foreach (var key in keys)
        {
            value = PythonValues.Normalize(value);
            if (value is null)
            {
                return Missing;
            }

            if (PythonValues.IsList(value))
            {
                if (emptyListIsAbsent && PythonValues.Count(value) == 0)
                {
                    return Missing;
                }

                var items = new List<object?>();
                foreach (var item in PythonValues.Items(value))
                {
                    if (item is null)
                    {
                        return Missing;
                    }

                    if (!PythonValues.IsDict(item))
                    {
                        throw new PythonTypeError($"cannot resolve '{key}' within {PythonValues.TypeName(item)}");
                    }

                    if (!PythonValues.TryGet(item, key, out var inner))
                    {
                        return Missing;
                    }

                    items.Add(inner);
                }

                value = items;
            }
            else if (PythonValues.IsDict(value))
            {
                if (!PythonValues.TryGet(value, key, out value))
                {
                    return Missing;
                }
            }
            else
            {
                throw new PythonTypeError($"cannot resolve '{key}' within {PythonValues.TypeName(value)}");
            }
        }

        return value;
    }

    [GeneratedRegex(@"\(\?P=(\w+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex PythonBackReference();
}
