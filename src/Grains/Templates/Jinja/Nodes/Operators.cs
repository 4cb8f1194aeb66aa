using System.Text;
using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Nodes;

/// <summary><c>a and b</c>: Python's short-circuit, giving one of the operands, not a bool.</summary>
internal sealed class And(Expression left, Expression right) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var value = left.Evaluate(state);
        return PyOps.IsTrue(value) ? right.Evaluate(state) : value;
    }
}

internal sealed class Or(Expression left, Expression right) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var value = left.Evaluate(state);
        return PyOps.IsTrue(value) ? value : right.Evaluate(state);
    }
}

internal sealed class Not(Expression operand) : Expression
{
    public override object? Evaluate(RenderState state) => !PyOps.IsTrue(operand.Evaluate(state));
}

internal sealed class Unary(string op, Expression operand) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var value = operand.Evaluate(state);
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        if (!PyOps.IsNumber(value))
        {
            throw PyException.TypeError($"bad operand type for unary {op}: '{PyOps.TypeName(value)}'");
        }

        return op == "-" ? PyNumber.Negate(value!) : PyNumber.Positive(value!);
    }
}

/// <summary><c>a ~ b ~ c</c>: the operands as strings, joined.</summary>
internal sealed class Concatenation(Expression[] parts) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            var text = PyText.Str(part.Evaluate(state));
            state.CheckLength(builder.Length + (long)text.Length, "'~'");
            builder.Append(text);
        }

        return builder.ToString();
    }
}

internal sealed class Binary(string op, Expression left, Expression right) : Expression
{
    // The largest int ** may build; Python has no limit, but a template has no use for a number this long.
    private const int MaxPowerBits = 64 * 1024;

    public override object? Evaluate(RenderState state) => Apply(state, op, left.Evaluate(state), right.Evaluate(state));

    public static object? Apply(RenderState state, string op, object? a, object? b)
    {
        if (a is Undefined undefinedLeft)
        {
            throw undefinedLeft.Fail();
        }

        if (b is Undefined undefinedRight)
        {
            throw undefinedRight.Fail();
        }

        if (PyOps.IsNumber(a) && PyOps.IsNumber(b))
        {
            return op switch
            {
                "+" => PyNumber.Add(a!, b!),
                "-" => PyNumber.Subtract(a!, b!),
                "*" => PyNumber.Multiply(a!, b!),
                "/" => PyNumber.TrueDivide(a!, b!),
                "//" => PyNumber.FloorDivide(a!, b!),
                "%" => PyNumber.Modulo(a!, b!),
                "**" => PyNumber.Power(a!, b!, MaxPowerBits),
                _ => throw new InvalidOperationException(op),
            };
        }

        switch (op)
        {
            case "+" when a is string s && b is string t:
                state.CheckLength((long)s.Length + t.Length, "'+'");
                return s + t;
            case "+" when a is List<object?> x && b is List<object?> y:
                state.CheckLength((long)x.Count + y.Count, "'+'");
                return x.Concat(y).ToList();
            case "+" when a is PyTuple x && b is PyTuple y:
                state.CheckLength((long)x.Count + y.Count, "'+'");
                return new PyTuple([.. x.Items, .. y.Items]);
            case "*" when Repeatable(a) && PyNumber.IsInt(b):
                return Repeat(state, a!, b!);
            case "*" when PyNumber.IsInt(a) && Repeatable(b):
                return Repeat(state, b!, a!);
            case "%" when a is string template:
                return PyFormat.Percent(state, template, b);
        }

        throw PyException.TypeError($"unsupported operand type(s) for {op}: '{PyOps.TypeName(a)}' and '{PyOps.TypeName(b)}'");
    }

    private static bool Repeatable(object? value) => value is string or List<object?> or PyTuple;

    private static object Repeat(RenderState state, object sequence, object count)
    {
        var times = PyNumber.ToBig(count);
        var n = times.Sign <= 0 ? 0L : times > int.MaxValue ? int.MaxValue : (long)times;
        if (n == 0 || PyOps.Length(sequence) == 0)
        {
            return sequence switch { string => "", PyTuple => PyTuple.Empty, _ => new List<object?>() };
        }

        switch (sequence)
        {
            case string s:
                return ValueMethods.Repeat(state, s, n);
            case List<object?> list:
                state.CheckLength(list.Count * n, "'*'");
                return Enumerable.Repeat(list, (int)n).SelectMany(x => x).ToList();
            default:
                var tuple = (PyTuple)sequence;
                state.CheckLength(tuple.Count * n, "'*'");
                return new PyTuple([.. Enumerable.Repeat(tuple.Items, (int)n).SelectMany(x => x)]);
        }
    }
}

/// <summary><c>a &lt; b &lt;= c</c>, <c>x in y</c>, <c>x not in y</c>: Python's chained comparison.</summary>
internal sealed class Comparison(Expression first, (string Op, Expression Operand)[] rest) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var left = first.Evaluate(state);
        foreach (var (op, operand) in rest)
        {
            var right = operand.Evaluate(state);
            if (!Compare(op, left, right))
            {
                return false;
            }

            left = right;
        }

        return true;
    }

    public static bool Compare(string op, object? left, object? right) => op switch
    {
        "==" => PyOps.Equals(left, right),
        "!=" => !PyOps.Equals(left, right),
        "in" => PyOps.Contains(right, left),
        "notin" => !PyOps.Contains(right, left),
        _ => Order(op, left, right),
    };

    private static bool Order(string op, object? left, object? right)
    {
        if (left is Undefined undefinedLeft)
        {
            throw undefinedLeft.Fail();
        }

        if (right is Undefined undefinedRight)
        {
            throw undefinedRight.Fail();
        }

        var order = PyOps.Compare(left, right, op);
        if (order == 2)
        {
            return false; // NaN: every ordering is false
        }

        return op switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        };
    }
}
