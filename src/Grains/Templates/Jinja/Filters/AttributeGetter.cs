using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Jinja2's <c>make_attrgetter</c>: what <c>attribute='site.name'</c> reads from each item — a dotted path
/// of items (digits as list indexes), with a default for items where it is undefined.</summary>
internal static class AttributeGetter
{
    public static Func<object?, object?> Create(object? attribute, object? fallback)
    {
        var parts = attribute switch
        {
            string s => s.Split('.').Select(part => long.TryParse(part, out var index) ? (object)index : part).ToArray(),
            long l => [l],
            _ => [attribute!],
        };
        return item =>
        {
            var value = item;
            foreach (var part in parts)
            {
                value = ValueAccess.GetItem(value, part);
            }

            return fallback is not null && value is Undefined ? fallback : value;
        };
    }
}
