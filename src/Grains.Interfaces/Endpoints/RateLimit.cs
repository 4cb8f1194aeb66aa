namespace Webhooks.Endpoints;

/// <summary>At most <see cref="RequestsPerSecond"/> requests per second on average, with bursts of up to
/// <see cref="Burst"/> after a quiet spell (a token bucket).</summary>
[GenerateSerializer, Immutable, Alias("webhooks.RateLimit")]
public sealed record RateLimit
{
    [Id(0)] public double RequestsPerSecond { get; init; }
    [Id(1)] public int Burst { get; init; } = 1;
}
