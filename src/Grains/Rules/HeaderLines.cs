using System.Collections.Immutable;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>Parses NetBox's additional headers: one "Name: Value" per line.</summary>
public static class HeaderLines
{
    /// <summary>Throws <see cref="InvalidFieldException"/> at validation time or <see cref="TemplateException"/>
    /// when <paramref name="field"/> is null (after rendering).</summary>
    public static ImmutableArray<HttpHeader> Parse(string text, string? field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var headers = ImmutableArray.CreateBuilder<HttpHeader>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon].Trim() : "";
            if (name.Length == 0 || !HeaderNames.IsToken(name))
            {
                var reason = $"line {lineNumber} is not \"Name: Value\"";
                throw field is null ? new TemplateException($"additional headers: {reason}") : new InvalidFieldException(field, reason);
            }

            headers.Add(new HttpHeader { Name = name, Value = line[(colon + 1)..].Trim() });
        }

        return headers.ToImmutable();
    }
}
