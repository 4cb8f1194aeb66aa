namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>Jinja2's <c>namespace()</c>: the one object a template may change from inside a loop
/// (<c>{% set ns.found = true %}</c>), since <c>set</c> in a loop does not reach outside it.</summary>
internal sealed class Namespace(Dictionary<string, object?> attributes)
{
    public Dictionary<string, object?> Attributes { get; } = attributes;
}
