using System.Numerics;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's rules for the values templates handle: truth, equality, ordering, membership, length and
/// iteration. Values are null (None), bool, long or <see cref="BigInteger"/> (int), double (float), string, lists,
/// <see cref="PyTuple"/>, string-keyed dictionaries (dict) and the runtime's own objects.</summary>
internal static class PyOps
{
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long or int or BigInteger => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        Dictionary<string, object?> => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        PyCallable => "function",
        _ => value.GetType().Name,
    };

    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        BigInteger big => !big.IsZero,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        PyTuple tuple => tuple.Count > 0,
        Dictionary<string, object?> dict => dict.Count > 0,
        Undefined => false,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is bool or long or BigInteger or double;

    // How deep == and ordering descend into nested lists and dicts; a template can nest values deeper than any
    // event does (a loop wrapping a list in a list), and recursion that deep would end the process, not the render.
    private const int MaxDepth = 100;

    // How many elements one comparison may visit: shared sublists make a small template's values exponentially large
    // to walk ([x, x] nested sixty times), and nothing else would stop the walk.
    private const int MaxVisited = 1_000_000;

    /// <summary>Python's <c>==</c>.</summary>
    public static new bool Equals(object? left, object? right)
    {
        var visited = 0;
        return Equals(left, right, 0, ref visited);
    }

    private static bool Equals(object? left, object? right, int depth, ref int visited)
    {
        Visit(depth, ref visited);

        if (ReferenceEquals(left, right))
        {
            return true;
        }

        switch (left)
        {
            case null:
                return right is null;
            case string s:
                return right is string t && string.Equals(s, t, StringComparison.Ordinal);
            case bool or long or BigInteger or double when IsNumber(right):
                return PyNumber.Compare(left, right!) == 0;
            case List<object?> list:
                return right is List<object?> other && SequenceEquals(list, other, depth, ref visited);
            case PyTuple tuple:
                return right is PyTuple otherTuple && SequenceEquals(tuple, otherTuple, depth, ref visited);
            case Dictionary<string, object?> dict:
                return right is Dictionary<string, object?> otherDict && DictEquals(dict, otherDict, depth, ref visited);
            case Undefined:
                return right is Undefined;
            default:
                return left.Equals(right);
        }
    }

    private static bool SequenceEquals(IReadOnlyList<object?> left, IReadOnlyList<object?> right, int depth, ref int visited)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!Equals(left[i], right[i], depth + 1, ref visited))
            {
                return false;
            }
        }

        return true;
    }

    private static bool DictEquals(Dictionary<string, object?> left, Dictionary<string, object?> right, int depth, ref int visited)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        foreach (var (key, value) in left)
        {
            if (!right.TryGetValue(key, out var other) || !Equals(value, other, depth + 1, ref visited))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python's ordering (<c>&lt;</c> and friends): numbers with numbers, strings with strings (by code
    /// point), lists and tuples element by element; anything else is a TypeError.</summary>
    public static int Compare(object? left, object? right, string op)
    {
        var visited = 0;
        return Compare(left, right, op, 0, ref visited);
    }

    private static int Compare(object? left, object? right, string op, int depth, ref int visited)
    {
        Visit(depth, ref visited);

        if (IsNumber(left) && IsNumber(right))
        {
            return PyNumber.Compare(left!, right!);
        }

        switch (left)
        {
            case string s when right is string t:
                return Math.Sign(CompareCodePoints(s, t));
            case List<object?> a when right is List<object?> b:
                return CompareSequences(a, b, op, depth, ref visited);
            case PyTuple a when right is PyTuple b:
                return CompareSequences(a, b, op, depth, ref visited);
            default:
                throw PyException.TypeError($"'{op}' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'");
        }
    }

    private static void Visit(int depth, ref int visited)
    {
        if (depth > MaxDepth)
        {
            throw new TemplateLimitException($"a comparison went more than {MaxDepth} levels deep");
        }

        if (++visited > MaxVisited)
        {
            throw new TemplateLimitException($"a comparison visited more than {MaxVisited} values");
        }
    }

    /// <summary>Orders strings by code point as Python does (UTF-16 order differs above the surrogates).</summary>
    public static int CompareCodePoints(string left, string right)
    {
        var length = Math.Min(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var (a, b) = (left[i], right[i]);
            if (a != b)
            {
                if (char.IsSurrogate(a) != char.IsSurrogate(b))
                {
                    return char.IsSurrogate(a) ? 1 : -1;
                }

                return a < b ? -1 : 1;
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    private static int CompareSequences(IReadOnlyList<object?> left, IReadOnlyList<object?> right, string op, int depth, ref int visited)
    {
        var length = Math.Min(left.Count, right.Count);
        for (var i = 0; i < length; i++)
        {
            if (!Equals(left[i], right[i], depth + 1, ref visited))
            {
                return Compare(left[i], right[i], op, depth + 1, ref visited);
            }
        }

        return left.Count.CompareTo(right.Count);
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string t
            ? s.Contains(t, StringComparison.Ordinal)
            : throw PyException.TypeError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        List<object?> list => list.Any(element => Equals(element, item)),
        PyTuple tuple => tuple.Any(element => Equals(element, item)),
        Dictionary<string, object?> dict => item is string key ? dict.ContainsKey(key) : IsHashable(item) ? false : throw Unhashable(item),
        Undefined => false,
        LoopContext or Namespace or PyCallable or null or bool or long or BigInteger or double =>
            throw PyException.TypeError($"argument of type '{TypeName(container)}' is not iterable"),
        _ => throw PyException.TypeError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    public static bool IsHashable(object? value) => value is not (List<object?> or Dictionary<string, object?>);

    public static PyException Unhashable(object? value) => PyException.TypeError($"unhashable type: '{TypeName(value)}'");

    /// <summary>Python's <c>len()</c>.</summary>
    public static int Length(object? value) => value switch
    {
        string s => PyText.CodePointCount(s),
        List<object?> list => list.Count,
        PyTuple tuple => tuple.Count,
        Dictionary<string, object?> dict => dict.Count,
        Undefined => 0,
        LoopContext loop => loop.Length,
        _ => throw PyException.TypeError($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>What <c>for x in value</c> iterates: elements, a dict's keys, a string's characters.</summary>
    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        PyTuple tuple => tuple,
        Dictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => PyText.Characters(s),
        Undefined => [],
        _ => throw PyException.TypeError($"'{TypeName(value)}' object is not iterable"),
    };
}
