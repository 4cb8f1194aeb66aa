using Fluid;

namespace Webhooks.Templates;

/// <summary>Fluid configured for NetBox-style templates: Jinja2 filter spellings, header_safe, bounded work and
/// bounded memory.</summary>
internal static class TemplateOptionsFactory
{
    /// <summary>Jinja2 names NetBox users write, mapped to Fluid's Liquid filters.</summary>
    private static readonly (string Alias, string Filter)[] Aliases =
    [
        ("tojson", "json"),
        ("upper", "upcase"),
        ("lower", "downcase"),
        ("length", "size"),
    ];

    public static TemplateOptions Create(TemplateLimits limits)
    {
        var options = new TemplateOptions
        {
            MaxSteps = limits.MaxSteps,
            MaxRecursion = limits.MaxRecursion,
        };

        foreach (var (alias, filter) in Aliases)
        {
            if (options.Filters.TryGetValue(filter, out var implementation))
            {
                options.Filters.AddFilter(alias, implementation);
            }
        }

        BoundedFilters.Install(options);
        return options;
    }
}
