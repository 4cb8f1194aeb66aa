using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Webhooks.Templates;

/// <summary>A Liquid range such as (1..n) that refuses to materialize more than a set number of items.</summary>
/// <remarks>Fluid builds a range's whole array before any step limit applies: (1..100000000) spends half a
/// minute and gigabytes. This checks the length first.</remarks>
internal sealed class BoundedRangeExpression(Expression from, Expression to, int maxLength) : Expression
{
    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        var start = ToLong(await from.EvaluateAsync(context));
        var end = ToLong(await to.EvaluateAsync(context));
        var length = end - start + 1;
        if (length > maxLength)
        {
            throw new InvalidOperationException($"the range ({start}..{end}) has {length} items; at most {maxLength} are allowed");
        }

        var items = new List<FluidValue>((int)Math.Max(length, 0));
        for (var i = start; i <= end; i++)
        {
            items.Add(NumberValue.Create(i));
        }

        return new ArrayValue(items);
    }

    private static long ToLong(FluidValue value) => (long)Math.Clamp(value.ToNumberValue(), long.MinValue / 2, long.MaxValue / 2);
}
