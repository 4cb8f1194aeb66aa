using System.Text.Json;

namespace Webhooks.Conditions.NetBox;

/// <summary>JSON values as NetBox's Python sees them: <c>==</c> across numbers and booleans (<c>1 == 1.0 == True</c>),
/// ordering between numbers only, and the three meanings of <c>in</c> (element, substring, key).</summary>
/// <remarks>A value is a <see cref="JsonElement"/>, a <see cref="List{T}"/> of values (what a path builds when it
/// goes through a list element by element), a <see cref="ConditionRoot"/> dictionary, or null for JSON null. An
/// operation Python refuses with TypeError throws <see cref="PythonTypeError"/>.</remarks>
internal static class PythonValues
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        List<object?> => "list",
        ConditionRoot => "dict",
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Object => "dict",
            JsonValueKind.Array => "list",
            JsonValueKind.String => "str",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Number => "number",
            _ => "NoneType",
        },
        _ => value.GetType().Name,
    };

    /// <summary>JSON null as null; everything else unchanged.</summary>
    public static object? Normalize(object? value) => value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? null : value;

    public static bool IsDict(object? value) => value is ConditionRoot || value is JsonElement { ValueKind: JsonValueKind.Object };

    public static bool IsList(object? value) => value is List<object?> || value is JsonElement { ValueKind: JsonValueKind.Array };

    public static IEnumerable<object?> Items(object? list) => list switch
    {
        List<object?> items => items,
        JsonElement e => e.EnumerateArray().Select(item => Normalize(item)),
        _ => [],
    };

    public static int Count(object? list) => list switch
    {
        List<object?> items => items.Count,
        JsonElement e => e.GetArrayLength(),
        _ => 0,
    };

    /// <summary>A dictionary's value for <paramref name="key"/>; false when it has no such key.</summary>
    public static bool TryGet(object? dict, string key, out object? value)
    {
        switch (dict)
        {
            case ConditionRoot root:
                return root.TryGet(key, out value);
            case JsonElement { ValueKind: JsonValueKind.Object } e when e.TryGetProperty(key, out var property):
                value = Normalize(property);
                return true;
            default:
                value = null;
                return false;
        }
    }

    private static IEnumerable<(string Key, object? Value)> Entries(object dict) => dict switch
    {
        ConditionRoot root => root.Entries(),
        JsonElement e => e.EnumerateObject().Select(p => (p.Name, Normalize(p.Value))),
        _ => [],
    };

    /// <summary>A number or boolean as Python's numeric tower sees it (True is 1).</summary>
    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case JsonElement { ValueKind: JsonValueKind.Number } e:
                number = e.GetDouble();
                return true;
            case JsonElement { ValueKind: JsonValueKind.True }:
                number = 1;
                return true;
            case JsonElement { ValueKind: JsonValueKind.False }:
                number = 0;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    public static bool TryString(object? value, out string text)
    {
        if (value is JsonElement { ValueKind: JsonValueKind.String } e)
        {
            text = e.GetString()!;
            return true;
        }

        text = "";
        return false;
    }

    /// <summary>Python's <c>a == b</c>.</summary>
    public static bool PyEquals(object? a, object? b)
    {
        a = Normalize(a);
        b = Normalize(b);
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (TryNumber(a, out var x) && TryNumber(b, out var y))
        {
            return x == y;
        }

        if (TryString(a, out var s) && TryString(b, out var t))
        {
            return string.Equals(s, t, StringComparison.Ordinal);
        }

        if (IsList(a) && IsList(b))
        {
            return Count(a) == Count(b) && Items(a).Zip(Items(b)).All(pair => PyEquals(pair.First, pair.Second));
        }

        if (IsDict(a) && IsDict(b))
        {
            var left = Entries(a).ToList();
            var right = Entries(b).ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
            return left.Count == right.Count && left.All(entry => right.TryGetValue(entry.Key, out var other) && PyEquals(entry.Value, other));
        }

        return false;
    }

    /// <summary>Python's ordering <c>a &lt;=&gt; b</c> for the numeric operators: numbers and booleans only.</summary>
    public static int Compare(object? value, object? limit)
    {
        if (TryNumber(value, out var x) && TryNumber(limit, out var y))
        {
            return x.CompareTo(y);
        }

        throw new PythonTypeError($"'<' not supported between instances of '{TypeName(value)}' and '{TypeName(limit)}'");
    }

    /// <summary>Python's <c>needle in haystack</c>: an element of a list, a substring of a string, a key of a dict.</summary>
    public static bool Contains(object? haystack, object? needle)
    {
        haystack = Normalize(haystack);
        needle = Normalize(needle);
        if (IsList(haystack))
        {
            return Items(haystack).Any(item => PyEquals(item, needle));
        }

        if (TryString(haystack, out var text))
        {
            return TryString(needle, out var part)
                ? text.Contains(part, StringComparison.Ordinal)
                : throw new PythonTypeError($"'in <string>' requires string as left operand, not {TypeName(needle)}");
        }

        if (IsDict(haystack))
        {
            if (IsList(needle) || IsDict(needle))
            {
                throw new PythonTypeError($"unhashable type: '{TypeName(needle)}'");
            }

            // JSON keys are strings: only a string can be one.
            return TryString(needle, out var key) && TryGet(haystack, key, out _);
        }

        throw new PythonTypeError($"argument of type '{TypeName(haystack)}' is not iterable");
    }
}

/// <summary>What Python raises as TypeError: the value at the path cannot take the operation.</summary>
internal sealed class PythonTypeError(string message) : Exception(message);
