using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Nodes;

/// <summary>An expression of a parsed template; evaluating it gives a Python value.</summary>
internal abstract class Expression
{
    public abstract object? Evaluate(RenderState state);
}

internal sealed class Constant(object? value) : Expression
{
    public object? Value { get; } = value;

    public override object? Evaluate(RenderState state) => Value;
}

internal sealed class NameLookup(string name) : Expression
{
    public string Name { get; } = name;

    public override object? Evaluate(RenderState state) => state.Lookup(Name);
}

internal sealed class ListLiteral(Expression[] items) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var list = new List<object?>(items.Length);
        foreach (var item in items)
        {
            list.Add(item.Evaluate(state));
        }

        return list;
    }
}

internal sealed class TupleLiteral(Expression[] items) : Expression
{
    public Expression[] Items { get; } = items;

    public override object? Evaluate(RenderState state)
    {
        var values = new object?[Items.Length];
        for (var i = 0; i < Items.Length; i++)
        {
            values[i] = Items[i].Evaluate(state);
        }

        return new Python.PyTuple(values);
    }
}

internal sealed class DictLiteral((Expression Key, Expression Value)[] pairs) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var dict = new Dictionary<string, object?>(pairs.Length, StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            var name = key.Evaluate(state) as string
                ?? throw Python.PyException.TypeError("dictionary keys in templates must be strings");
            dict[name] = value.Evaluate(state);
        }

        return dict;
    }
}

internal sealed class Attribute(Expression target, string name) : Expression
{
    public override object? Evaluate(RenderState state) => ValueAccess.GetAttribute(target.Evaluate(state), name);
}

internal sealed class Item(Expression target, Expression key) : Expression
{
    public override object? Evaluate(RenderState state) => ValueAccess.GetItem(target.Evaluate(state), key.Evaluate(state));
}

internal sealed class SliceItem(Expression target, Expression? start, Expression? stop, Expression? step) : Expression
{
    public override object? Evaluate(RenderState state) =>
        ValueAccess.Slice(target.Evaluate(state), start?.Evaluate(state), stop?.Evaluate(state), step?.Evaluate(state));
}

/// <summary>The arguments written in a call, filter or test, evaluated each time.</summary>
internal sealed class ArgumentList(Expression[] positional, (string Name, Expression Value)[] named)
{
    public static readonly ArgumentList Empty = new([], []);

    public Arguments Evaluate(RenderState state, object? first = null, bool withFirst = false)
    {
        var offset = withFirst ? 1 : 0;
        var values = new object?[positional.Length + offset];
        if (withFirst)
        {
            values[0] = first;
        }

        for (var i = 0; i < positional.Length; i++)
        {
            values[i + offset] = positional[i].Evaluate(state);
        }

        Dictionary<string, object?>? byName = null;
        foreach (var (name, value) in named)
        {
            (byName ??= new(StringComparer.Ordinal))[name] = value.Evaluate(state);
        }

        return new Arguments(values, byName);
    }
}

internal sealed class Call(Expression callee, ArgumentList arguments) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var target = callee.Evaluate(state);
        state.Step();
        return target is PyCallable callable
            ? callable.Invoke(state, arguments.Evaluate(state))
            : throw RenderState.NotCallable(target);
    }
}

internal sealed class FilterApplication(Expression target, string name, Filters.FilterFunction filter, ArgumentList arguments) : Expression
{
    public string Name { get; } = name;

    public override object? Evaluate(RenderState state)
    {
        var value = target.Evaluate(state);
        state.Step();
        var result = filter(state, value, arguments.Evaluate(state));
        if (result is string text)
        {
            state.CheckLength(text.Length, $"the filter '{Name}'");
        }

        return result;
    }
}

internal sealed class TestApplication(Expression target, Filters.TestFunction test, ArgumentList arguments, bool negated) : Expression
{
    public override object? Evaluate(RenderState state)
    {
        var result = test(state, target.Evaluate(state), arguments.Evaluate(state));
        return negated ? !result : result;
    }
}

internal sealed class Conditional(Expression test, Expression whenTrue, Expression? whenFalse) : Expression
{
    public override object? Evaluate(RenderState state) => Python.PyOps.IsTrue(test.Evaluate(state))
        ? whenTrue.Evaluate(state)
        : whenFalse is null ? new Undefined("the inline if expression evaluated to false and no else section was defined") : whenFalse.Evaluate(state);
}
