using Fluid;
using Microsoft.Extensions.Options;
using Webhooks.Errors;
using Webhooks.Rules;
using Webhooks.Templates.Jinja;
using Webhooks.Templates.Jinja.Syntax;

namespace Webhooks.Templates;

/// <summary>Parses and renders templates: Jinja2 (as NetBox renders them) and, for definitions stored before Jinja2,
/// Liquid (Fluid). Thread-safe and shared: parsed templates are immutable; each render has its own state, within the
/// same step, size and allocation limits in both languages.</summary>
public sealed class TemplateCompiler(IOptions<TemplateLimits> limits)
{
    private readonly FluidParser _parser = new();
    private readonly TemplateOptions _options = TemplateOptionsFactory.Create(limits.Value);
    private readonly TemplateLimits _limits = limits.Value;
    private readonly JinjaLimits _jinjaLimits = JinjaLimits.From(limits.Value);
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

    /// <summary>Parses <paramref name="text"/> in <paramref name="language"/> (a stored definition's unspecified language
    /// is Liquid, a new one's Jinja2), or throws <see cref="InvalidFieldException"/> on <paramref name="field"/>.</summary>
    public CompiledTemplate Compile(string text, string field, TemplateLanguage language)
    {
        CheckLength(text, field);
        if (language == TemplateLanguage.Liquid)
        {
            if (!_parser.TryParse(text, out var template, out var error))
            {
                throw new InvalidFieldException(field, $"template syntax error: {error}");
            }

            return CompiledTemplate.Of(_bounds.VisitTemplate(template));
        }

        try
        {
            return CompiledTemplate.Of(JinjaTemplate.Parse(text, _jinjaLimits));
        }
        catch (JinjaSyntaxException ex)
        {
            throw new InvalidFieldException(field, $"template syntax error: {ex.Message}");
        }
        catch (TemplateLimitException ex)
        {
            throw new InvalidFieldException(field, $"template refused: {ex.Message}");
        }
    }

    /// <summary>Renders against an event: see <see cref="Render(CompiledTemplate, IReadOnlyDictionary{string, object?}, string)"/>.</summary>
    /// <param name="use">The parts of the context the template can reach (the rest is not parsed).</param>
    public string Render(CompiledTemplate template, EventContext context, ContextUse use, string what)
    {
        IReadOnlyDictionary<string, object?> model;
        try
        {
            model = template.Language == TemplateLanguage.Liquid ? context.TemplateModelFor(use) : context.JinjaModelFor(use);
        }
        catch (Exception ex)
        {
            throw new TemplateException($"{what} template failed: the event's JSON could not be read ({ex.Message})", ex);
        }

        return Render(template, model, what);
    }

    /// <summary>Renders against a model built for the template's language (<see cref="EventContext.TemplateModel"/> for
    /// Liquid, <see cref="EventContext.JinjaModel"/> for Jinja2); throws <see cref="TemplateException"/> on any failure,
    /// limits and running out of memory included: nothing a template does escapes as anything else.</summary>
    public string Render(CompiledTemplate template, IReadOnlyDictionary<string, object?> model, string what)
    {
        try
        {
            var budget = new RenderBudget(_limits.MaxOutputLength, _limits.MaxRenderBytes);
            return template.Jinja is { } jinja ? jinja.Render(model, budget) : RenderLiquid(template.Liquid!, model, budget, what);
        }
        catch (TemplateLimitException ex)
        {
            throw new TemplateException($"{what} template stopped: {ex.Message}", ex);
        }
        catch (TemplateException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // OutOfMemoryException too: the limits above should prevent it, and if one still happens it is this
            // template's failure, which must not be retried for ever as if the silo had failed.
            throw new TemplateException($"{what} template failed: {ex.Message}", ex);
        }
    }

    private string RenderLiquid(IFluidTemplate template, IReadOnlyDictionary<string, object?> model, RenderBudget budget, string what)
    {
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
}
