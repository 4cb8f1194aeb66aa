using Fluid;
using Microsoft.Extensions.Options;
using Webhooks.Errors;

namespace Webhooks.Templates;

/// <summary>Parses and renders {{ }} templates. Thread-safe and shared: Fluid's parser and parsed
/// templates are immutable; only the <see cref="TemplateContext"/> is per render.</summary>
public sealed class TemplateCompiler(IOptions<TemplateLimits> limits)
{
    private readonly FluidParser _parser = new();
    private readonly TemplateOptions _options = TemplateOptionsFactory.Create(limits.Value);
    private readonly TemplateLimits _limits = limits.Value;
    private readonly RangeLimiter _ranges = new(limits.Value.MaxRangeLength);

    /// <summary>True when <paramref name="text"/> uses template syntax at all; plain text needs no rendering.</summary>
    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>, or throws <see cref="InvalidFieldException"/> on <paramref name="field"/>.</summary>
    public IFluidTemplate Compile(string text, string field)
    {
        if (text.Length > _limits.MaxTemplateLength)
        {
            throw new InvalidFieldException(field, $"must be at most {_limits.MaxTemplateLength} characters");
        }

        if (!_parser.TryParse(text, out var template, out var error))
        {
            throw new InvalidFieldException(field, $"template syntax error: {error}");
        }

        return _ranges.VisitTemplate(template);
    }

    /// <summary>Renders against the event context; throws <see cref="TemplateException"/> on failure.</summary>
    public string Render(IFluidTemplate template, IReadOnlyDictionary<string, object?> model, string what)
    {
        string output;
        try
        {
            var context = new TemplateContext(model, _options);
            output = template.Render(context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new TemplateException($"{what} template failed: {ex.Message}", ex);
        }

        if (output.Length > _limits.MaxOutputLength)
        {
            throw new TemplateException($"{what} template rendered {output.Length} characters; the limit is {_limits.MaxOutputLength}");
        }

        return output;
    }
}
