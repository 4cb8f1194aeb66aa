using Fluid.Ast;

namespace Webhooks.Templates;

/// <summary>Rewrites the constructs that Fluid lets grow without a bound: every range into a
/// <see cref="BoundedRangeExpression"/>, every capture into a <see cref="BoundedCaptureStatement"/>.</summary>
internal sealed class BoundedTemplateRewriter(int maxRangeLength) : AstRewriter
{
    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new BoundedRangeExpression(Visit(rangeExpression.From), Visit(rangeExpression.To), maxRangeLength);

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement) =>
        new BoundedCaptureStatement(captureStatement.Identifier, [.. captureStatement.Statements.Select(Visit)]);
}
