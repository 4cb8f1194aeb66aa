using System.ComponentModel.DataAnnotations;

namespace Webhooks.DeadLetters;

/// <summary>When an event counts as poison, and how much of it a webhook keeps (configuration section "PoisonEvents").</summary>
public sealed class PoisonEventOptions
{
    public const string Section = "PoisonEvents";

    /// <summary>Failures of the same kind, in a row, before an event is set aside.</summary>
    [Range(1, 1000)] public int Attempts { get; set; } = 5;

    /// <summary>Time since an event's first failure before it may be set aside, so that a fault that clears by
    /// itself (a restart, a deploy) does not empty a stream into the dead-letter list.</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Dead letters a webhook keeps; beyond it, the oldest are dropped (and logged).</summary>
    [Range(1, 100_000)] public int Capacity { get; set; } = 1000;

    /// <summary>Bytes of dead letters a webhook keeps; beyond it, the oldest are dropped (and logged).</summary>
    [Range(1 << 20, 1L << 30)] public long MaxBytes { get; set; } = 16 << 20;
}
