using System.Collections.Immutable;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>A webhook's additional headers, compiled line by line: each line is one header, and a template renders
/// within its line. What event data renders can only become a header's value (or, from a template in the name, its
/// name), never a second header: a rendered line holding a line break or another control character is a template
/// error, and nothing is sent.</summary>
internal sealed class HeaderTemplate
{
    public const string Field = "webhook.additional_headers";

    private readonly (int Number, HttpHeader? Fixed, CompiledTemplate? Template)[] _lines;

    private HeaderTemplate((int, HttpHeader?, CompiledTemplate?)[] lines, ImmutableArray<HttpHeader>? fixedHeaders)
    {
        _lines = lines;
        FixedHeaders = fixedHeaders;
    }

    /// <summary>The headers when no line is a template (rendering then costs nothing).</summary>
    public ImmutableArray<HttpHeader>? FixedHeaders { get; }

    /// <summary>Throws <see cref="InvalidFieldException"/> on <see cref="Field"/>: a line that is not a header or
    /// does not compile on its own (a tag may not span lines).</summary>
    public static HeaderTemplate Compile(string text, TemplateCompiler templates, TemplateLanguage language)
    {
        templates.CheckLength(text, Field);
        var lines = new List<(int, HttpHeader?, CompiledTemplate?)>();
        var number = 0;
        foreach (var line in HeaderLines.Lines(text))
        {
            number++;
            if (!TemplateCompiler.IsTemplate(line))
            {
                if (HeaderLines.ParseLine(line, number, Field) is { } header)
                {
                    lines.Add((number, header, null));
                }

                continue;
            }

            try
            {
                lines.Add((number, null, templates.Compile(line, Field, language)));
            }
            catch (InvalidFieldException ex)
            {
                throw new InvalidFieldException(Field, $"line {number}: {ex.Reason} (each line is one header and is rendered on its own: a tag may not span lines)");
            }
        }

        var allFixed = lines.TrueForAll(l => l.Item3 is null);
        return new HeaderTemplate([.. lines], allFixed ? lines.Select(l => l.Item2!).ToImmutableArray() : null);
    }

    /// <summary>Throws <see cref="TemplateException"/>.</summary>
    public ImmutableArray<HttpHeader> Render(EventContext context, ContextUse use, TemplateCompiler templates)
    {
        if (FixedHeaders is { } fixedHeaders)
        {
            return fixedHeaders;
        }

        var headers = ImmutableArray.CreateBuilder<HttpHeader>(_lines.Length);
        foreach (var (number, fixedHeader, template) in _lines)
        {
            var header = template is null
                ? fixedHeader
                : HeaderLines.ParseLine(templates.Render(template, context, use, "additional headers"), number, field: null);
            if (header is not null)
            {
                headers.Add(header);
            }
        }

        return headers.ToImmutable();
    }
}
