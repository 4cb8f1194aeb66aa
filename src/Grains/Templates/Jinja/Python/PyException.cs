namespace Webhooks.Templates.Jinja.Python;

/// <summary>What Python would raise while rendering (TypeError, ValueError, UndefinedError, ...): the render fails
/// with the same kind of message Jinja2 gives.</summary>
internal sealed class PyException(string type, string message) : Exception($"{type}: {message}")
{
    public string Type { get; } = type;

    public static PyException TypeError(string message) => new("TypeError", message);

    public static PyException ValueError(string message) => new("ValueError", message);

    public static PyException Undefined(string message) => new("UndefinedError", message);

    public static PyException ZeroDivision(string message) => new("ZeroDivisionError", message);
}
