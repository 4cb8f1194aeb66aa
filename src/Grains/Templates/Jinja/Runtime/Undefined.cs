namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>Jinja2's default <c>Undefined</c>: what a missing name, key, attribute or index gives. It prints as
/// nothing, is false, iterates as empty and has length 0; using it in any other way (an attribute or item of it,
/// arithmetic, calling it) fails with the reason it is undefined.</summary>
internal sealed class Undefined(string hint)
{
    public static readonly Undefined Plain = new("value is undefined");

    /// <summary>Why it is undefined, as Jinja2 says it ("'x' is undefined").</summary>
    public string Hint { get; } = hint;

    public Python.PyException Fail() => Python.PyException.Undefined(Hint);

    public override string ToString() => string.Empty;
}
