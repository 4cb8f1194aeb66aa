using System.ComponentModel.DataAnnotations;

namespace Webhooks.Templates;

/// <summary>Limits for rendering templates (configuration section "Templates").</summary>
public sealed class TemplateLimits
{
    public const string Section = "Templates";

    [Range(1, 1_000_000)] public int MaxTemplateLength { get; set; } = 64 * 1024;
    [Range(100, 100_000_000)] public int MaxSteps { get; set; } = 100_000;
    [Range(1, 1000)] public int MaxRecursion { get; set; } = 32;
    /// <summary>Longest (a..b) range a template may build.</summary>
    [Range(1, 10_000_000)] public int MaxRangeLength { get; set; } = 10_000;
    /// <summary>Largest rendered body; larger ones are a template error (receivers commonly refuse over 2 MB).</summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxOutputLength { get; set; } = 2 * 1024 * 1024;
    /// <summary>Bytes one render may allocate in all (strings it builds and throws away included); checked after every
    /// filter, capture, assignment and write.</summary>
    [Range(1024 * 1024, 4L * 1024 * 1024 * 1024)] public long MaxRenderBytes { get; set; } = 64 * 1024 * 1024;
}
