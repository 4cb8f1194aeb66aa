using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>Jinja2's <c>cycler(a, b, …)</c>: <c>next()</c> gives the items in turn, <c>current</c> the one next() will
/// give, <c>reset()</c> starts over.</summary>
internal sealed class Cycler(object?[] items)
{
    private int _position;

    public object? Get(string name) => name switch
    {
        "current" => items.Length > 0 ? items[_position] : throw new PyException("IndexError", "list index out of range"),
        "next" => new PyCallable("next", (_, _) =>
        {
            var item = items.Length > 0 ? items[_position] : throw new PyException("IndexError", "list index out of range");
            _position = (_position + 1) % items.Length;
            return item;
        }),
        "reset" => new PyCallable("reset", (_, _) =>
        {
            _position = 0;
            return null;
        }),
        "items" => new List<object?>(items),
        _ => new Undefined($"'Cycler object' has no attribute '{name}'"),
    };
}
