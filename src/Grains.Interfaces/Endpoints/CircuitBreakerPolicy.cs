namespace Webhooks.Endpoints;

/// <summary>After <see cref="FailureThreshold"/> failed attempts in a row the endpoint's circuit opens: nothing is
/// sent but one probe every <see cref="ProbeInterval"/>, and the first success closes it.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.CircuitBreakerPolicy")]
public sealed record CircuitBreakerPolicy
{
    public static CircuitBreakerPolicy Default { get; } = new();

    /// <summary>0: the circuit never opens.</summary>
    [Id(0)] public int FailureThreshold { get; init; } = 5;
    [Id(1)] public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMinutes(1);
}
