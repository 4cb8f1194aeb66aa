using System.Collections;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>A Python tuple: what <c>(a, b)</c>, <c>dict.items()</c> and tuple unpacking make. Kept apart from lists
/// because Python prints and compares it differently (<c>(1,)</c>; <c>[1] != (1,)</c>).</summary>
internal class PyTuple(object?[] items) : IReadOnlyList<object?>
{
    public static readonly PyTuple Empty = new([]);

    public object?[] Items { get; } = items;

    public int Count => Items.Length;

    public object? this[int index] => Items[index];

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Items.GetEnumerator();
}
