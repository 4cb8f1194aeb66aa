namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>Something a template can call: a global (<c>range</c>, <c>namespace</c>), a bound method of a value
/// (<c>data.items()</c>, <c>name.startswith('x')</c>) or <c>loop.cycle</c>.</summary>
internal sealed class PyCallable(string name, Func<RenderState, Arguments, object?> invoke)
{
    public string Name { get; } = name;

    public object? Invoke(RenderState state, Arguments arguments) => invoke(state, arguments);
}
