using Webhooks.Templates.Jinja.Nodes;
using Webhooks.Templates.Jinja.Runtime;
using Webhooks.Templates.Jinja.Syntax;

namespace Webhooks.Templates.Jinja;

/// <summary>A parsed Jinja2 template, rendered the way NetBox renders webhook templates (Jinja2's
/// <c>SandboxedEnvironment</c>, autoescape off, the default <c>Undefined</c>, NetBox's <c>header_safe</c>).
/// Immutable and shared; each render has its own <see cref="RenderState"/>.</summary>
/// <remarks>Our own engine because no Jinja2 implementation for .NET is published where we build; it is checked
/// against the real Jinja2 by the differential tests.</remarks>
internal sealed class JinjaTemplate
{
    private readonly Statement[] _body;
    private readonly JinjaLimits _limits;

    private JinjaTemplate(Statement[] body, JinjaLimits limits) => (_body, _limits) = (body, limits);

    /// <summary>Parses <paramref name="source"/>; throws <see cref="JinjaSyntaxException"/> when Jinja2 would refuse it.</summary>
    public static JinjaTemplate Parse(string source, JinjaLimits limits) => new(JinjaParser.Parse(source, limits.MaxNesting), limits);

    /// <summary>Renders against <paramref name="model"/> (Python values: see <see cref="Python.PyJson.Parse"/>).</summary>
    public string Render(IReadOnlyDictionary<string, object?> model, RenderBudget budget)
    {
        var state = new RenderState(model, budget, _limits);
        Statement.ExecuteAll(_body, state);
        return state.Finish();
    }
}
