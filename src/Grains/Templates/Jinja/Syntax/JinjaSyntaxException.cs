namespace Webhooks.Templates.Jinja.Syntax;

/// <summary>A template that Jinja2 would refuse to compile, with the line where it went wrong.</summary>
internal sealed class JinjaSyntaxException(string message, int line) : Exception($"{message} (line {line})")
{
    public int Line { get; } = line;
}
