using System.Collections.Frozen;
using System.Text;
using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>The methods of dicts, strings and lists that templates call (<c>data.items()</c>, <c>.get('k', 'd')</c>,
/// <c>name.startswith('x')</c>, <c>'a,b'.split(',')</c>); none of them changes the value.</summary>
internal static class ValueMethods
{
    // Looked up on every attribute access (data.name too): the method objects, and the closures the switch allocates
    // on entry, only for the names that are methods.
    private static readonly FrozenSet<string> DictNames = FrozenSet.Create(StringComparer.Ordinal, "items", "keys", "values", "get", "copy");
    private static readonly FrozenSet<string> SequenceNames = FrozenSet.Create(StringComparer.Ordinal, "count", "index");
    private static readonly FrozenSet<string> StringNames = FrozenSet.Create(StringComparer.Ordinal, "upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "splitlines", "replace", "join", "title", "capitalize", "count", "find", "isdigit", "isalpha", "isalnum", "islower", "isupper", "zfill", "format");

    public static PyCallable? ForDict(Dictionary<string, object?> dict, string name) => DictNames.Contains(name) ? DictMethod(dict, name) : null;

    private static PyCallable? DictMethod(Dictionary<string, object?> dict, string name) => name switch
    {
        "items" => new(name, (_, a) => Checked(a, name, 0, () => dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList())),
        "keys" => new(name, (_, a) => Checked(a, name, 0, () => dict.Keys.Cast<object?>().ToList())),
        "values" => new(name, (_, a) => Checked(a, name, 0, () => dict.Values.ToList())),
        "get" => new(name, (_, a) => Checked(a, name, 2, () => a.Positional.Length == 0
            ? throw PyException.TypeError("get expected at least 1 argument, got 0")
            : a.Positional[0] is string key && dict.TryGetValue(key, out var value) ? value : a.Get(1, "default"))),
        "copy" => new(name, (_, a) => Checked(a, name, 0, () => new Dictionary<string, object?>(dict, StringComparer.Ordinal))),
        _ => null,
    };

    public static PyCallable? ForSequence(IReadOnlyList<object?> items, string name) => SequenceNames.Contains(name) ? SequenceMethod(items, name) : null;

    private static PyCallable? SequenceMethod(IReadOnlyList<object?> items, string name) => name switch
    {
        "count" => new(name, (_, a) => Checked(a, name, 1, () => (long)items.Count(item => PyOps.Equals(item, a.Get(0, "value"))))),
        "index" => new(name, (_, a) => Checked(a, name, 1, () =>
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (PyOps.Equals(items[i], a.Get(0, "value")))
                {
                    return (long)i;
                }
            }

            throw PyException.ValueError($"{PyText.Repr(a.Get(0, "value"))} is not in list");
        })),
        _ => null,
    };

    public static PyCallable? ForString(string s, string name) => StringNames.Contains(name) ? StringMethod(s, name) : null;

    private static PyCallable? StringMethod(string s, string name) => name switch
    {
        "upper" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Upper(s))),
        "lower" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Lower(s))),
        "strip" => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), true, true))),
        "lstrip" => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), true, false))),
        "rstrip" => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), false, true))),
        "startswith" => new(name, (_, a) => Checked(a, name, 1, () => Affix(s, a.Get(0, "prefix"), name, static (x, y) => x.StartsWith(y, StringComparison.Ordinal)))),
        "endswith" => new(name, (_, a) => Checked(a, name, 1, () => Affix(s, a.Get(0, "suffix"), name, static (x, y) => x.EndsWith(y, StringComparison.Ordinal)))),
        "split" => new(name, (state, a) => Checked(a, name, 2, () =>
        {
            state.CheckLength(s.Length, "split");
            return PyStrings.Split(s, a.Get(0, "sep"), a.GetInt(1, "maxsplit", -1));
        })),
        "rsplit" => new(name, (state, a) => Checked(a, name, 2, () =>
        {
            state.CheckLength(s.Length, "rsplit");
            return PyStrings.RightSplit(s, a.Get(0, "sep"), a.GetInt(1, "maxsplit", -1));
        })),
        "splitlines" => new(name, (state, a) => Checked(a, name, 1, () =>
        {
            state.CheckLength(s.Length, "splitlines");
            return PyStrings.SplitLines(s, a.GetBool(0, "keepends", false));
        })),
        "replace" => new(name, (state, a) => Checked(a, name, 3, () => PyStrings.Replace(state, s, a.Get(0, "old"), a.Get(1, "new"), a.GetInt(2, "count", -1)))),
        "join" => new(name, (state, a) => Checked(a, name, 1, () => PyStrings.Join(state, s, PyOps.Iterate(a.Get(0, "iterable")), requireStrings: true))),
        "title" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Title(s))),
        "capitalize" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Capitalize(s))),
        "count" => new(name, (_, a) => Checked(a, name, 1, () => (long)PyStrings.Count(s, Text(a.Get(0, "sub"), name)))),
        "find" => new(name, (_, a) => Checked(a, name, 1, () => (long)s.IndexOf(Text(a.Get(0, "sub"), name), StringComparison.Ordinal))),
        "isdigit" => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsDigit))),
        "isalpha" => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsLetter))),
        "isalnum" => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsLetterOrDigit))),
        "islower" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.IsLower(s))),
        "isupper" => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.IsUpper(s))),
        "zfill" => new(name, (state, a) => Checked(a, name, 1, () => PyStrings.ZeroFill(state, s, a.GetInt(0, "width", 0)))),
        "format" => new(name, (state, a) => PyStrings.Format(state, s, a)),
        _ => null,
    };

    private static object? Checked(Arguments arguments, string name, int max, Func<object?> call)
    {
        if (arguments.Positional.Length > max)
        {
            throw PyException.TypeError($"{name}() takes at most {max} arguments ({arguments.Positional.Length} given)");
        }

        return call();
    }

    private static bool Affix(string s, object? affix, string name, Func<string, string, bool> test) => affix switch
    {
        string text => test(s, text),
        PyTuple tuple => tuple.Any(item => test(s, Text(item, name))),
        _ => throw PyException.TypeError($"{name} first arg must be str or a tuple of str, not {PyOps.TypeName(affix)}"),
    };

    private static string Text(object? value, string name) =>
        value as string ?? throw PyException.TypeError($"{name}() argument must be str, not {PyOps.TypeName(value)}");

    internal static string Repeat(RenderState state, string s, long times)
    {
        if (times <= 0 || s.Length == 0)
        {
            return string.Empty;
        }

        state.CheckLength(s.Length * times, "repeating a string");
        return new StringBuilder(s.Length * (int)times).Insert(0, s, (int)times).ToString();
    }
}
