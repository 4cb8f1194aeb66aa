using Webhooks.Templates.Jinja.Nodes;
using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Every test a template may use after <c>is</c>: Jinja2's built-in tests.</summary>
internal static class JinjaTests
{
    private static readonly Dictionary<string, TestFunction> Tests = Build();

    public static bool TryGet(string name, out TestFunction test) => Tests.TryGetValue(name, out test!);

    private static Dictionary<string, TestFunction> Build()
    {
        var tests = new Dictionary<string, TestFunction>(StringComparer.Ordinal)
        {
            ["defined"] = (_, v, _) => v is not Undefined,
            ["undefined"] = (_, v, _) => v is Undefined,
            ["none"] = (_, v, _) => v is null,
            ["boolean"] = (_, v, _) => v is bool,
            ["true"] = (_, v, _) => v is true,
            ["false"] = (_, v, _) => v is false,
            ["integer"] = (_, v, _) => v is long or System.Numerics.BigInteger,
            ["float"] = (_, v, _) => v is double,
            ["number"] = (_, v, _) => PyOps.IsNumber(v),
            ["string"] = (_, v, _) => v is string,
            ["mapping"] = (_, v, _) => v is Dictionary<string, object?>,
            ["sequence"] = (_, v, _) => v is string or List<object?> or PyTuple or Dictionary<string, object?> or Undefined,
            ["iterable"] = (_, v, _) => v is string or List<object?> or PyTuple or Dictionary<string, object?> or Undefined,
            ["callable"] = (_, v, _) => v is PyCallable,
            ["escaped"] = (_, _, _) => false,
            ["odd"] = (state, v, _) => PyOps.Equals(Binary.Apply(state, "%", v, 2L), 1L),
            ["even"] = (state, v, _) => PyOps.Equals(Binary.Apply(state, "%", v, 2L), 0L),
            ["divisibleby"] = (state, v, a) => PyOps.Equals(Binary.Apply(state, "%", v, a.Get(0, "num")), 0L),
            ["lower"] = (_, v, _) => PyStrings.IsLower(PyText.Str(v)),
            ["upper"] = (_, v, _) => PyStrings.IsUpper(PyText.Str(v)),
            ["sameas"] = (_, v, a) => SameAs(v, a.Get(0, "other")),
            ["in"] = (_, v, a) => PyOps.Contains(a.Get(0, "seq"), v),
            ["filter"] = (_, v, _) => v is string name && JinjaFilters.Exists(name),
            ["test"] = (_, v, _) => v is string name && Tests.ContainsKey(name),
        };

        foreach (var (names, op) in new (string[], string)[]
        {
            (["==", "eq", "equalto"], "=="), (["!=", "ne"], "!="), (["<", "lt", "lessthan"], "<"), (["<=", "le"], "<="),
            ([">", "gt", "greaterthan"], ">"), ([">=", "ge"], ">="),
        })
        {
            foreach (var name in names)
            {
                tests[name] = (_, v, a) => Comparison.Compare(op, v, a.Get(0, "other"));
            }
        }

        return tests;
    }

    /// <summary>Python's <c>is</c> for the values templates see: None, True and False are singletons; other values are
    /// the same only when they are the same object.</summary>
    private static bool SameAs(object? value, object? other) => value switch
    {
        null => other is null,
        bool b => other is bool o && b == o,
        _ => ReferenceEquals(value, other),
    };
}
