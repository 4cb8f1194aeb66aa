using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Nodes;

/// <summary>A statement of a parsed template; executing it writes output or changes variables.</summary>
internal abstract class Statement
{
    public abstract void Execute(RenderState state);

    public static void ExecuteAll(Statement[] body, RenderState state)
    {
        foreach (var statement in body)
        {
            statement.Execute(state);
        }
    }
}

internal sealed class TextOutput(string text) : Statement
{
    public string Text { get; } = text;

    public override void Execute(RenderState state) => state.Write(Text);
}

internal sealed class ValueOutput(Expression value, int cost) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step(cost);
        state.Write(PyText.Str(value.Evaluate(state)));
    }
}

internal sealed class IfStatement((Expression Test, Statement[] Body, int Cost)[] branches, Statement[] otherwise) : Statement
{
    public override void Execute(RenderState state)
    {
        foreach (var (test, body, cost) in branches)
        {
            state.Step(cost);
            if (PyOps.IsTrue(test.Evaluate(state)))
            {
                ExecuteAll(body, state);
                return;
            }
        }

        ExecuteAll(otherwise, state);
    }
}

internal sealed class ForStatement(AssignTarget target, Expression iterable, Expression? filter, Statement[] body, Statement[] otherwise, int cost) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step(cost);
        var items = PyOps.Iterate(iterable.Evaluate(state));
        if (filter is not null)
        {
            var kept = new List<object?>();
            state.PushFrame();
            try
            {
                foreach (var item in items)
                {
                    state.Step(cost);
                    target.Assign(state, item);
                    if (PyOps.IsTrue(filter.Evaluate(state)))
                    {
                        kept.Add(item);
                    }
                }
            }
            finally
            {
                state.PopFrame();
            }

            items = kept;
        }

        if (items.Count == 0)
        {
            ExecuteAll(otherwise, state);
            return;
        }

        var loop = new LoopContext(items, ++state.LoopDepth);
        state.PushFrame();
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                state.Step();
                state.ResetFrame();
                loop.Index0 = i;
                state.Assign("loop", loop);
                target.Assign(state, items[i]);
                ExecuteAll(body, state);
            }
        }
        finally
        {
            state.PopFrame();
            state.LoopDepth--;
        }
    }
}

internal sealed class SetStatement(AssignTarget target, Expression value, int cost) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step(cost);
        target.Assign(state, value.Evaluate(state));
        state.Budget.CheckAllocation();
    }
}

/// <summary><c>{% set name %}…{% endset %}</c>: the rendered body as a string.</summary>
internal sealed class SetBlockStatement(string name, Statement[] body) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step();
        var start = state.Output.Length;
        ExecuteAll(body, state);
        var text = state.Output.ToString(start, state.Output.Length - start);
        state.Output.Length = start;
        state.Assign(name, text);
    }
}

/// <summary>What <c>set</c> and <c>for</c> assign to: a name, a namespace attribute, or a tuple of targets
/// (unpacking).</summary>
internal abstract class AssignTarget
{
    public abstract void Assign(RenderState state, object? value);
}

internal sealed class NameTarget(string name) : AssignTarget
{
    public override void Assign(RenderState state, object? value) => state.Assign(name, value);
}

internal sealed class NamespaceTarget(string name, string attribute) : AssignTarget
{
    public override void Assign(RenderState state, object? value)
    {
        if (state.Lookup(name) is not Namespace ns)
        {
            throw new PyException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
        }

        ns.Attributes[attribute] = value;
    }
}

internal sealed class TupleTarget(AssignTarget[] targets) : AssignTarget
{
    public override void Assign(RenderState state, object? value)
    {
        if (value is Undefined undefined)
        {
            throw undefined.Fail();
        }

        var items = PyOps.Iterate(value);
        if (items.Count != targets.Length)
        {
            throw PyException.ValueError(items.Count > targets.Length
                ? $"too many values to unpack (expected {targets.Length})"
                : $"not enough values to unpack (expected {targets.Length}, got {items.Count})");
        }

        for (var i = 0; i < targets.Length; i++)
        {
            targets[i].Assign(state, items[i]);
        }
    }
}
