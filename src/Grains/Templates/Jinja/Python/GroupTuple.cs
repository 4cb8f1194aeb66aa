namespace Webhooks.Templates.Jinja.Python;

/// <summary>What <c>groupby</c> yields: a (grouper, list) tuple that also answers <c>.grouper</c> and <c>.list</c>, as
/// Jinja2's named tuple does (<c>{% for g in items | groupby('site') %}{{ g.grouper }}</c>).</summary>
internal sealed class GroupTuple(object? grouper, List<object?> list) : PyTuple([grouper, list])
{
    public object? Grouper { get; } = grouper;

    public List<object?> List { get; } = list;
}
