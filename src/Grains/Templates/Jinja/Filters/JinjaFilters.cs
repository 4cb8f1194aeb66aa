namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Every filter a template may use: Jinja2's built-in filters (those with deterministic output) and
/// NetBox's <c>header_safe</c>.</summary>
internal static class JinjaFilters
{
    private static readonly Dictionary<string, FilterFunction> Filters = Build();

    public static bool TryGet(string name, out FilterFunction filter) => Filters.TryGetValue(name, out filter!);

    public static bool Exists(string name) => Filters.ContainsKey(name);

    private static Dictionary<string, FilterFunction> Build()
    {
        var filters = new Dictionary<string, FilterFunction>(StringComparer.Ordinal);
        StringFilters.Register(filters);
        SequenceFilters.Register(filters);
        ValueFilters.Register(filters);
        return filters;
    }
}
