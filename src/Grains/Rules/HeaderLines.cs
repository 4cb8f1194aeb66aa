using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>NetBox's additional headers: one "Name: Value" per line.</summary>
public static class HeaderLines
{
    /// <summary>The lines of <paramref name="text"/> (LF or CRLF endings).</summary>
    public static IEnumerable<string> Lines(string text) => text.Split('\n').Select(line => line.EndsWith('\r') ? line[..^1] : line);

    /// <summary>One header from one line; null for a blank line. Throws <see cref="InvalidFieldException"/> on
    /// <paramref name="field"/> at validation time, or <see cref="TemplateException"/> when it is null (after rendering).</summary>
    public static HttpHeader? ParseLine(string line, int lineNumber, string? field)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw Problem(field, lineNumber, "is not \"Name: Value\"");
        }

        var name = line[..colon].Trim();
        var value = line[(colon + 1)..].Trim(' ', '\t');
        return HeaderNames.Problem(name, value) is { } problem
            ? throw Problem(field, lineNumber, problem)
            : new HttpHeader { Name = name, Value = value };
    }

    private static Exception Problem(string? field, int lineNumber, string reason) =>
        field is null
            ? new TemplateException($"additional headers, line {lineNumber}: {reason}")
            : new InvalidFieldException(field, $"line {lineNumber}: {reason}");
}
