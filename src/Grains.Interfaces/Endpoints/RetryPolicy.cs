using System.Collections.Immutable;

namespace Webhooks.Endpoints;

/// <summary>When an endpoint's failed deliveries are tried again: a fixed schedule of delays, or exponential
/// growth up to a cap. Every delay gets ±<see cref="Jitter"/> so that retries of a burst spread out.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.RetryPolicy")]
public sealed record RetryPolicy
{
    /// <summary>Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about a day.</summary>
    public static readonly ImmutableArray<TimeSpan> DefaultSchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public static RetryPolicy Default { get; } = new();

    /// <summary>Delay before retry n is Schedule[n - 1]; the delivery gets Schedule.Length + 1 attempts.
    /// Ignored when <see cref="Exponential"/> is set.</summary>
    [Id(0)] public ImmutableArray<TimeSpan> Schedule { get; init; } = DefaultSchedule;

    [Id(1)] public ExponentialBackoff? Exponential { get; init; }

    /// <summary>Fraction each delay varies by, at random (0.2: ±20 %).</summary>
    [Id(2)] public double Jitter { get; init; } = 0.2;

    /// <summary>Attempts per delivery when set; otherwise the schedule's length + 1 (its last delay repeating).</summary>
    [Id(3)] public int? Attempts { get; init; }

    /// <summary>Attempts per delivery, the first included.</summary>
    public int MaxAttempts => Attempts ?? Exponential?.MaxAttempts ?? (Schedule.IsDefault ? 0 : Schedule.Length) + 1;

    /// <summary>The delay before retry <paramref name="retry"/> (1 = the second attempt), before jitter.</summary>
    public TimeSpan BaseDelay(int retry)
    {
        if (Exponential is { } exponential)
        {
            var seconds = exponential.Initial.TotalSeconds * Math.Pow(exponential.Multiplier, retry - 1);
            return seconds >= exponential.Max.TotalSeconds ? exponential.Max : TimeSpan.FromSeconds(seconds);
        }

        return Schedule.IsDefaultOrEmpty ? TimeSpan.Zero : Schedule[Math.Clamp(retry - 1, 0, Schedule.Length - 1)];
    }
}
