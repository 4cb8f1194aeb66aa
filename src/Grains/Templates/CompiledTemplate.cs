using Fluid;
using Webhooks.Templates.Jinja;

namespace Webhooks.Templates;

/// <summary>A parsed template in its language; immutable and shared by every render.</summary>
public sealed class CompiledTemplate
{
    private CompiledTemplate(TemplateLanguage language, IFluidTemplate? liquid, JinjaTemplate? jinja) =>
        (Language, Liquid, Jinja) = (language, liquid, jinja);

    public TemplateLanguage Language { get; }

    internal IFluidTemplate? Liquid { get; }

    internal JinjaTemplate? Jinja { get; }

    internal static CompiledTemplate Of(IFluidTemplate liquid) => new(TemplateLanguage.Liquid, liquid, null);

    internal static CompiledTemplate Of(JinjaTemplate jinja) => new(TemplateLanguage.Jinja2, null, jinja);
}
