using System.Numerics;
using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Filters on any value: default, tojson, attr, and the numeric ones (int, float, abs, round).</summary>
internal static class ValueFilters
{
    public static void Register(Dictionary<string, FilterFunction> filters)
    {
        filters["default"] = filters["d"] = (_, v, a) =>
        {
            a.Check("default", 2, "default_value", "boolean");
            return v is Undefined || (a.GetBool(1, "boolean", false) && !PyOps.IsTrue(v)) ? a.Get(0, "default_value", "") : v;
        };
        filters["tojson"] = (state, v, a) =>
        {
            a.Check("tojson", 1, "indent");
            var indent = a.Get(0, "indent");
            int? width = indent is null ? null : a.GetInt(0, "indent", 0);
            if (width is { } spaces)
            {
                state.CheckLength(Math.Max(spaces, 0), "tojson's indent");
            }

            return PyJson.ToJson(v, width, state.Budget.MaxChars);
        };
        filters["attr"] = (_, v, a) =>
        {
            a.Check("attr", 1, "name");
            var name = PyText.Str(a.Get(0, "name"));
            // Jinja2's attr reads attributes only, never items: a dict's keys are not its attributes.
            return v is Dictionary<string, object?> dict
                ? (object?)ValueMethods.ForDict(dict, name) ?? new Undefined($"'dict object' has no attribute '{name}'")
                : ValueAccess.GetAttribute(v, name);
        };
        filters["int"] = (_, v, a) =>
        {
            a.Check("int", 2, "default", "base");
            return ToInt(v, a.Get(0, "default", 0L), a.GetInt(1, "base", 10));
        };
        filters["float"] = (_, v, a) =>
        {
            a.Check("float", 1, "default");
            if (v is Undefined undefined)
            {
                throw undefined.Fail();
            }

            return ToFloat(v) ?? a.Get(0, "default", 0.0);
        };
        filters["abs"] = (_, v, a) =>
        {
            a.Check("abs", 0);
            return PyOps.IsNumber(v) ? PyNumber.Abs(v!) : throw PyException.TypeError($"bad operand type for abs(): '{PyOps.TypeName(v)}'");
        };
        filters["round"] = (_, v, a) =>
        {
            a.Check("round", 2, "precision", "method");
            return Round(v, a.GetInt(0, "precision", 0), PyText.Str(a.Get(1, "method", "common")));
        };
    }

    /// <summary>Jinja2's <c>int</c>: text parsed in <paramref name="radix"/> (or as a float and truncated), numbers
    /// truncated, anything else the default.</summary>
    private static object? ToInt(object? value, object? fallback, int radix)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (value is string s)
        {
            if (PyStrings.TryParseInt(s, radix, out var parsed))
            {
                return parsed;
            }
        }
        else if (PyNumber.IsInt(value))
        {
            return PyNumber.Int(PyNumber.ToBig(value!));
        }
        else if (value is double d)
        {
            return Truncate(d);
        }

        return ToFloat(value) is double number ? Truncate(number) : fallback;
    }

    private static object Truncate(double d) => double.IsFinite(d)
        ? PyNumber.Int(new BigInteger(Math.Truncate(d)))
        : throw new PyException(double.IsNaN(d) ? "ValueError" : "OverflowError", $"cannot convert float {PyText.FloatRepr(d)} to integer");

    private static double? ToFloat(object? value) => value switch
    {
        double d => d,
        bool or long or BigInteger => PyNumber.ToDouble(value),
        string s => PyStrings.TryParseFloat(s, out var parsed) ? parsed : null,
        _ => null,
    };

    /// <summary>Python's <c>round(int, n)</c>: unchanged for n ≥ 0, else half to even at the n-th place.</summary>
    private static object RoundInt(BigInteger value, int digits)
    {
        if (digits >= 0)
        {
            return PyNumber.Int(value);
        }

        if (-digits > PyNumber.MaxIntDigits)
        {
            return 0L;
        }

        var unit = BigInteger.Pow(10, -digits);
        var quotient = BigInteger.DivRem(BigInteger.Abs(value), unit, out var remainder);
        var twice = remainder * 2;
        if (twice > unit || (twice == unit && !quotient.IsEven))
        {
            quotient += 1;
        }

        return PyNumber.Int(quotient * unit * value.Sign);
    }

    private static object Round(object? value, int precision, string method)
    {
        if (method is not ("common" or "ceil" or "floor"))
        {
            throw new PyException("FilterArgumentError", "method must be common, ceil or floor");
        }

        if (!PyOps.IsNumber(value))
        {
            throw PyException.TypeError($"type {PyOps.TypeName(value)} doesn't define __round__ method");
        }

        if (method == "common")
        {
            return value is double d ? PyRound.Round(d, precision) : RoundInt(PyNumber.ToBig(value!), precision);
        }

        var scale = Math.Pow(10, precision);

        var scaled = PyNumber.ToDouble(value!) * scale;
        var rounded = method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled);
        return rounded / scale;
    }
}
