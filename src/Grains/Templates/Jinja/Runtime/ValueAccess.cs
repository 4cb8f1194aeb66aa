using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary><c>value.name</c> and <c>value[key]</c> as Jinja2's sandbox resolves them: an attribute (a method of
/// the value) first, then an item, and <see cref="Undefined"/> when neither exists.
/// Only data and the methods listed in <see cref="ValueMethods"/> are reachable: nothing here has Python's internals
/// (<c>__class__</c>, <c>__globals__</c>), which are simply undefined.</summary>
internal static class ValueAccess
{
    public static object? GetAttribute(object? value, string name)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        switch (value)
        {
            case Dictionary<string, object?> dict:
                return (object?)ValueMethods.ForDict(dict, name) ?? (dict.TryGetValue(name, out var item) ? item : Missing(value, name));
            case string s:
                return (object?)ValueMethods.ForString(s, name) ?? Missing(value, name);
            case GroupTuple group when name is "grouper" or "list":
                return name == "grouper" ? group.Grouper : group.List;
            case List<object?> or PyTuple:
                return (object?)ValueMethods.ForSequence((IReadOnlyList<object?>)value, name) ?? Missing(value, name);
            case Namespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Missing(value, name);
            case LoopContext loop:
                return loop.Get(name);
            case Cycler cycler:
                return cycler.Get(name);
            default:
                return Missing(value, name);
        }
    }

    public static object? GetItem(object? value, object? key)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        switch (value)
        {
            case Dictionary<string, object?> dict:
                if (key is string name)
                {
                    return dict.TryGetValue(name, out var item) ? item : GetAttribute(value, name);
                }

                return PyOps.IsHashable(key) ? Missing(value, PyText.Repr(key)) : throw PyOps.Unhashable(key);
            case List<object?> or PyTuple:
                var items = (IReadOnlyList<object?>)value;
                if (Index(key, items.Count) is { } index)
                {
                    return index >= 0 && index < items.Count ? items[index] : new Undefined($"'{PyOps.TypeName(value)} object' has no element {PyText.Str(key)}");
                }

                return key is string attribute ? GetAttribute(value, attribute) : Missing(value, PyText.Str(key));
            case string s:
                if (Index(key, int.MaxValue) is not null)
                {
                    var characters = PyText.Characters(s);
                    var position = Index(key, characters.Count)!.Value;
                    return position >= 0 && position < characters.Count ? characters[position] : new Undefined($"'str object' has no element {PyText.Str(key)}");
                }

                return key is string method ? GetAttribute(value, method) : Missing(value, PyText.Str(key));
            case LoopContext or Namespace when key is string attributeName:
                return GetAttribute(value, attributeName);
            default:
                return Missing(value, PyText.Str(key));
        }
    }

    /// <summary><c>value[start:stop:step]</c> for lists, tuples and strings.</summary>
    public static object? Slice(object? value, object? start, object? stop, object? step)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        IReadOnlyList<object?> items = value switch
        {
            List<object?> list => list,
            PyTuple tuple => tuple,
            string s => PyText.Characters(s),
            _ => throw PyException.TypeError($"'{PyOps.TypeName(value)}' object is not subscriptable"),
        };

        var stride = step is null ? 1 : SliceIndex(step);
        if (stride == 0)
        {
            throw PyException.ValueError("slice step cannot be zero");
        }

        var count = items.Count;
        long first, last;
        if (stride > 0)
        {
            first = start is null ? 0 : Clamp(SliceIndex(start), count, 0, count);
            last = stop is null ? count : Clamp(SliceIndex(stop), count, 0, count);
        }
        else
        {
            first = start is null ? count - 1 : Clamp(SliceIndex(start), count, -1, count - 1);
            last = stop is null ? -1 : Clamp(SliceIndex(stop), count, -1, count - 1);
        }

        var result = new List<object?>();
        for (var i = first; stride > 0 ? i < last : i > last; i += stride)
        {
            result.Add(items[(int)i]);
        }

        return value switch
        {
            string => string.Concat(result.Cast<string>()),
            PyTuple => new PyTuple([.. result]),
            _ => result,
        };
    }

    private static long Clamp(long index, int count, long low, long high)
    {
        if (index < 0)
        {
            index += count;
        }

        return Math.Clamp(index, low, high);
    }

    private static long SliceIndex(object? value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw PyException.TypeError("slice indices must be integers or None"),
    };

    private static int? Index(object? key, int count)
    {
        long? index = key switch
        {
            bool b => b ? 1 : 0,
            long l => l,
            _ => null,
        };
        if (index is not { } value)
        {
            return null;
        }

        if (value < 0)
        {
            value += count;
        }

        return value is >= int.MinValue and <= int.MaxValue ? (int)value : -1;
    }

    private static Undefined Missing(object? value, string name) =>
        new($"'{PyOps.TypeName(value)} object' has no attribute '{name}'");
}
