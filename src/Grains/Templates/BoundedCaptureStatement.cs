using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Webhooks.Templates;

/// <summary>{% capture name %}…{% endcapture %} whose captured text is bounded while it is written: Fluid's own
/// capture collects into an unbounded buffer, so one capture of a large array could build gigabytes before any
/// check saw it.</summary>
internal sealed class BoundedCaptureStatement(string identifier, IReadOnlyList<Statement> statements) : TagStatement(statements)
{
    public override async ValueTask<Completion> WriteToAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var budget = RenderBudget.Of(context) ?? throw new InvalidOperationException("rendered without a budget");
        using var captured = new BoundedTextWriter(budget, $"the capture '{identifier}'");
        var completion = Completion.Normal;
        foreach (var statement in Statements)
        {
            completion = await statement.WriteToAsync(captured, encoder, context);
            if (completion != Completion.Normal)
            {
                break;
            }
        }

        // As Liquid defines capture: the text, not encoded, assigned to the variable.
        context.SetValue(identifier, new StringValue(captured.ToString(), encode: false));
        return completion;
    }
}
