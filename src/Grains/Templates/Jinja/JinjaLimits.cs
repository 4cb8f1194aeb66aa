namespace Webhooks.Templates.Jinja;

/// <summary>The limits one Jinja2 render runs under (taken from <see cref="TemplateLimits"/>).</summary>
internal sealed record JinjaLimits(int MaxSteps, int MaxNesting, int MaxRangeLength)
{
    public static JinjaLimits From(TemplateLimits limits) => new(limits.MaxSteps, limits.MaxRecursion, limits.MaxRangeLength);
}
