using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>The <c>loop</c> variable inside <c>{% for %}</c>: position (index, index0, revindex, revindex0, first,
/// last, length), neighbours (previtem, nextitem), depth and cycle().</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items, int depth)
{
    private object? _lastChanged = Undefined.Plain;

    public int Index0 { get; set; }

    public int Index => Index0 + 1;

    public int Length => items.Count;

    public int Depth => depth;

    public object? Get(string name) => name switch
    {
        "index" => (long)Index,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => (long)depth,
        "depth0" => (long)(depth - 1),
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
        "nextitem" => Index0 + 1 < Length ? items[Index0 + 1] : new Undefined("there is no next item"),
        "cycle" => new PyCallable("cycle", (_, arguments) => arguments.Positional.Length == 0
            ? throw PyException.TypeError("no items for cycling given")
            : arguments.Positional[Index0 % arguments.Positional.Length]),
        "changed" => new PyCallable("changed", (_, arguments) =>
        {
            var value = new PyTuple(arguments.Positional);
            if (PyOps.Equals(value, _lastChanged))
            {
                return false;
            }

            _lastChanged = value;
            return true;
        }),
        _ => new Undefined($"'LoopContext object' has no attribute '{name}'"),
    };
}
