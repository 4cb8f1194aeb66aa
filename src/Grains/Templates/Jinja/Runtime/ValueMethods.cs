using System.Collections.Frozen;
using System.Text;
using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>The methods of dicts, strings and lists that templates call (<c>data.items()</c>, <c>.get('k', 'd')</c>,
/// <c>name.startswith('x')</c>, <c>'a,b'.split(',')</c>); none of them changes the value.</summary>
internal static class ValueMethods
{
    public static PyCallable? ForDict(Dictionary<string, object?> dict, string name) => DictMethods.TryGetValue(name, out var make) ? make(dict, name) : null;

    // A table of makers, not a switch of closures: attribute access asks here for every name (data.name too), and
    // only a name that is a method builds anything.
    private static readonly FrozenDictionary<string, Func<Dictionary<string, object?>, string, PyCallable>> DictMethods = new Dictionary<string, Func<Dictionary<string, object?>, string, PyCallable>>
    {
        ["items"] = static (dict, name) => new(name, (_, a) => Checked(a, name, 0, () => dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList())),
        ["keys"] = static (dict, name) => new(name, (_, a) => Checked(a, name, 0, () => dict.Keys.Cast<object?>().ToList())),
        ["values"] = static (dict, name) => new(name, (_, a) => Checked(a, name, 0, () => dict.Values.ToList())),
        ["get"] = static (dict, name) => new(name, (_, a) => Checked(a, name, 2, () => a.Positional.Length == 0
            ? throw PyException.TypeError("get expected at least 1 argument, got 0")
            : a.Positional[0] is string key && dict.TryGetValue(key, out var value) ? value : a.Get(1, "default"))),
        ["copy"] = static (dict, name) => new(name, (_, a) => Checked(a, name, 0, () => new Dictionary<string, object?>(dict, StringComparer.Ordinal))),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static PyCallable? ForSequence(IReadOnlyList<object?> items, string name) => SequenceMethods.TryGetValue(name, out var make) ? make(items, name) : null;

    private static readonly FrozenDictionary<string, Func<IReadOnlyList<object?>, string, PyCallable>> SequenceMethods = new Dictionary<string, Func<IReadOnlyList<object?>, string, PyCallable>>
    {
        ["count"] = static (items, name) => new(name, (_, a) => Checked(a, name, 1, () => (long)items.Count(item => PyOps.Equals(item, a.Get(0, "value"))))),
        ["index"] = static (items, name) => new(name, (_, a) => Checked(a, name, 1, () =>
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
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static PyCallable? ForString(string s, string name) => StringMethods.TryGetValue(name, out var make) ? make(s, name) : null;

    private static readonly FrozenDictionary<string, Func<string, string, PyCallable>> StringMethods = new Dictionary<string, Func<string, string, PyCallable>>
    {
        ["upper"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Upper(s))),
        ["lower"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Lower(s))),
        ["strip"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), true, true))),
        ["lstrip"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), true, false))),
        ["rstrip"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => PyStrings.Strip(s, a.Get(0, "chars"), false, true))),
        ["startswith"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => Affix(s, a.Get(0, "prefix"), name, static (x, y) => x.StartsWith(y, StringComparison.Ordinal)))),
        ["endswith"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => Affix(s, a.Get(0, "suffix"), name, static (x, y) => x.EndsWith(y, StringComparison.Ordinal)))),
        ["split"] = static (s, name) => new(name, (state, a) => Checked(a, name, 2, () =>
        {
            state.CheckLength(s.Length, "split");
            return PyStrings.Split(s, a.Get(0, "sep"), a.GetInt(1, "maxsplit", -1));
        })),
        ["rsplit"] = static (s, name) => new(name, (state, a) => Checked(a, name, 2, () =>
        {
            state.CheckLength(s.Length, "rsplit");
            return PyStrings.RightSplit(s, a.Get(0, "sep"), a.GetInt(1, "maxsplit", -1));
        })),
        ["splitlines"] = static (s, name) => new(name, (state, a) => Checked(a, name, 1, () =>
        {
            state.CheckLength(s.Length, "splitlines");
            return PyStrings.SplitLines(s, a.GetBool(0, "keepends", false));
        })),
        ["replace"] = static (s, name) => new(name, (state, a) => Checked(a, name, 3, () => PyStrings.Replace(state, s, a.Get(0, "old"), a.Get(1, "new"), a.GetInt(2, "count", -1)))),
        ["join"] = static (s, name) => new(name, (state, a) => Checked(a, name, 1, () => PyStrings.Join(state, s, PyOps.Iterate(a.Get(0, "iterable")), requireStrings: true))),
        ["title"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Title(s))),
        ["capitalize"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.Capitalize(s))),
        ["count"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => (long)PyStrings.Count(s, Text(a.Get(0, "sub"), name)))),
        ["find"] = static (s, name) => new(name, (_, a) => Checked(a, name, 1, () => (long)s.IndexOf(Text(a.Get(0, "sub"), name), StringComparison.Ordinal))),
        ["isdigit"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsDigit))),
        ["isalpha"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsLetter))),
        ["isalnum"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => s.Length > 0 && s.All(char.IsLetterOrDigit))),
        ["islower"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.IsLower(s))),
        ["isupper"] = static (s, name) => new(name, (_, a) => Checked(a, name, 0, () => PyStrings.IsUpper(s))),
        ["zfill"] = static (s, name) => new(name, (state, a) => Checked(a, name, 1, () => PyStrings.ZeroFill(state, s, a.GetInt(0, "width", 0)))),
        ["format"] = static (s, name) => new(name, (state, a) => PyStrings.Format(state, s, a)),
    }.ToFrozenDictionary(StringComparer.Ordinal);

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
