namespace Webhooks.Endpoints;

/// <summary>Initial, Initial × Multiplier, … up to Max, for MaxAttempts attempts in all.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.ExponentialBackoff")]
public sealed record ExponentialBackoff
{
    [Id(0)] public TimeSpan Initial { get; init; } = TimeSpan.FromSeconds(5);
    [Id(1)] public double Multiplier { get; init; } = 2;
    [Id(2)] public TimeSpan Max { get; init; } = TimeSpan.FromHours(10);
    [Id(3)] public int MaxAttempts { get; init; } = 8;
}
