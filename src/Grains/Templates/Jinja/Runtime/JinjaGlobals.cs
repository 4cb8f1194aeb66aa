using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>The names every template sees besides its context: <c>range</c> (bounded, as the sandbox bounds it),
/// <c>dict</c> and <c>namespace</c>.</summary>
internal static class JinjaGlobals
{
    private static readonly Dictionary<string, object?> Globals = new(StringComparer.Ordinal)
    {
        ["range"] = new PyCallable("range", Range),
        ["dict"] = new PyCallable("dict", (_, arguments) => Dict(arguments)),
        ["namespace"] = new PyCallable("namespace", (_, arguments) => new Namespace(Dict(arguments))),
        ["joiner"] = new PyCallable("joiner", (_, arguments) => Joiner(PyText.Str(arguments.Get(0, "sep", ", ")))),
        ["cycler"] = new PyCallable("cycler", (_, arguments) => new Cycler(arguments.Positional)),
    };

    public static bool TryGet(string name, out object? value) => Globals.TryGetValue(name, out value);

    /// <summary><c>joiner(sep)</c>: a function that returns nothing the first time and the separator after.</summary>
    private static PyCallable Joiner(string separator)
    {
        var used = false;
        return new PyCallable("joiner", (_, _) =>
        {
            var result = used ? separator : string.Empty;
            used = true;
            return result;
        });
    }

    private static Dictionary<string, object?> Dict(Arguments arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var positional in arguments.Positional)
        {
            if (positional is not Dictionary<string, object?> mapping)
            {
                throw PyException.TypeError($"cannot convert '{PyOps.TypeName(positional)}' object to a dictionary");
            }

            foreach (var (key, value) in mapping)
            {
                result[key] = value;
            }
        }

        foreach (var (key, value) in arguments.Named ?? [])
        {
            result[key] = value;
        }

        return result;
    }

    private static List<object?> Range(RenderState state, Arguments arguments)
    {
        var values = arguments.Positional.Select(value => value switch
        {
            bool b => b ? 1L : 0L,
            long l => l,
            _ => throw PyException.TypeError($"'{PyOps.TypeName(value)}' object cannot be interpreted as an integer"),
        }).ToArray();
        var (start, stop, step) = values.Length switch
        {
            1 => (0L, values[0], 1L),
            2 => (values[0], values[1], 1L),
            3 => (values[0], values[1], values[2]),
            _ => throw PyException.TypeError($"range expected 1 to 3 arguments, got {values.Length}"),
        };
        if (step == 0)
        {
            throw PyException.ValueError("range() arg 3 must not be zero");
        }

        var count = step > 0
            ? (stop > start ? ((decimal)stop - start + step - 1) / step : 0)
            : (start > stop ? ((decimal)start - stop - step - 1) / -step : 0);
        if (count > state.Limits.MaxRangeLength)
        {
            throw new TemplateLimitException($"range() would have {Math.Floor(count)} items; the limit is {state.Limits.MaxRangeLength} (Templates:MaxRangeLength)");
        }

        // By count: start + k × step cannot overflow where the next value past stop could.
        var result = new List<object?>((int)count);
        for (var k = 0L; k < (long)count; k++)
        {
            result.Add(start + (k * step));
        }

        return result;
    }
}
