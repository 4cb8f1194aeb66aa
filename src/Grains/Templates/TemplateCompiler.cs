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
    private readonly BoundedTemplateRewriter _bounds = new(limits.Value.MaxRangeLength);

    /// <summary>True when <paramref name="text"/> uses template syntax at all; plain text needs no rendering.</summary>
    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);

    /// <summary>Throws <see cref="InvalidFieldException"/> on <paramref name="field"/> when the text is longer than a
    /// template may be.</summary>
    public void CheckLength(string text, string field)
    {
        if (text.Length > _limits.MaxTemplateLength)
        {
            throw new InvalidFieldException(field, $"must be at most {_limits.MaxTemplateLength} characters");
        }
    }

    /// <summary>Parses <paramref name="text"/>, or throws <see cref="InvalidFieldException"/> on <paramref name="field"/>.</summary>
    public IFluidTemplate Compile(string text, string field)
    {
        CheckLength(text, field);

        if (!_parser.TryParse(text, out var template, out var error))
        {
            throw new InvalidFieldException(field, $"template syntax error: {error}");
        }

        return _bounds.VisitTemplate(template);
    }

    /// <summary>Renders against the event context; throws <see cref="TemplateException"/> on any failure, limits
    /// and running out of memory included: nothing a template does escapes as anything else.</summary>
    public string Render(IFluidTemplate template, IReadOnlyDictionary<string, object?> model, string what)
    {
        try
        {
            var budget = new RenderBudget(_limits.MaxOutputLength, _limits.MaxRenderBytes);
            var context = new TemplateContext(model, _options);
            budget.AttachTo(context);
            using var output = new BoundedTextWriter(budget, $"the {what}");
            var rendering = template.RenderAsync(output, context, NullEncoder.Default);
            if (!rendering.IsCompleted)
            {
                // Rendering touches no I/O and writes to a StringWriter, so it completes at once; waiting here for one
                // that did not would block the calling grain's only thread, which its continuation needs.
                throw new TemplateException($"{what} template did not complete synchronously");
            }

            rendering.GetAwaiter().GetResult();

            return output.ToString();
        }
        catch (TemplateLimitException ex)
        {
            throw new TemplateException($"{what} template stopped: {ex.Message}", ex);
        }
        catch (Exception ex)
        {
            // OutOfMemoryException too: the limits above should prevent it, and if one still happens it is this
            // template's failure, which must not be retried for ever as if the silo had failed.
            throw new TemplateException($"{what} template failed: {ex.Message}", ex);
        }
    }
}
