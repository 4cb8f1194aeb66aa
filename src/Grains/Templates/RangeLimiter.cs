using Fluid.Ast;

namespace Webhooks.Templates;

/// <summary>Rewrites every range in a parsed template into a <see cref="BoundedRangeExpression"/>.</summary>
internal sealed class RangeLimiter(int maxLength) : AstRewriter
{
    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new BoundedRangeExpression(Visit(rangeExpression.From), Visit(rangeExpression.To), maxLength);
}
