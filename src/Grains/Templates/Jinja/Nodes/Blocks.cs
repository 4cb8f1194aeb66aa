using Webhooks.Templates.Jinja.Filters;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Nodes;

/// <summary><c>{% with a = 1 %}…{% endwith %}</c>: names that exist only inside the block.</summary>
internal sealed class WithStatement((AssignTarget Target, Expression Value)[] assignments, Statement[] body) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step();
        var values = assignments.Select(a => a.Value.Evaluate(state)).ToArray();
        state.PushFrame();
        try
        {
            for (var i = 0; i < assignments.Length; i++)
            {
                assignments[i].Target.Assign(state, values[i]);
            }

            ExecuteAll(body, state);
        }
        finally
        {
            state.PopFrame();
        }
    }
}

/// <summary>Renders a body to a string and passes it through filters: <c>{% filter upper %}</c> and
/// <c>{% set x | trim %}</c>.</summary>
internal static class FilteredBody
{
    public static object? Render(RenderState state, Statement[] body, (string Name, FilterFunction Filter, ArgumentList Arguments)[] filters)
    {
        var start = state.Output.Length;
        Statement.ExecuteAll(body, state);
        object? value = state.Output.ToString(start, state.Output.Length - start);
        state.Output.Length = start;
        foreach (var (name, filter, arguments) in filters)
        {
            state.Step();
            value = filter(state, value, arguments.Evaluate(state));
            if (value is string text)
            {
                state.CheckLength(text.Length, $"the filter '{name}'");
            }
        }

        return value;
    }
}

internal sealed class FilterBlockStatement(Statement[] body, (string, FilterFunction, ArgumentList)[] filters) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step();
        state.Write(Python.PyText.Str(FilteredBody.Render(state, body, filters)));
    }
}

internal sealed class FilteredSetBlockStatement(string name, Statement[] body, (string, FilterFunction, ArgumentList)[] filters) : Statement
{
    public override void Execute(RenderState state)
    {
        state.Step();
        state.Assign(name, FilteredBody.Render(state, body, filters));
    }
}
