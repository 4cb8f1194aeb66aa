using System.ComponentModel.DataAnnotations;

namespace Webhooks.Conditions;

/// <summary>Sandbox limits for JavaScript conditions (configuration section "Conditions").</summary>
public sealed class ConditionOptions
{
    public const string Section = "Conditions";

    [Range(1, 10_000)] public int MaxLength { get; set; } = 4096;
    [Range(100, 100_000_000)] public int MaxStatements { get; set; } = 10_000;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(100);
    [Range(1 << 20, 1L << 31)] public long MemoryBytes { get; set; } = 4 << 20;
    [Range(1, 10_000)] public int MaxRecursion { get; set; } = 64;
    [Range(1, 10_000_000)] public uint MaxArraySize { get; set; } = 100_000;
}
