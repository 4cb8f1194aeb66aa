namespace Webhooks.Deliveries;

[GenerateSerializer, Immutable, Alias("webhooks.DeliveryAttempt")]
public sealed record DeliveryAttempt
{
    [Id(0)] public required DateTimeOffset Time { get; init; }
    [Id(1)] public required TimeSpan Duration { get; init; }
    /// <summary>0 when no response was received.</summary>
    [Id(2)] public int StatusCode { get; init; }
    /// <summary>Network failure or timeout; empty when a response was received.</summary>
    [Id(3)] public string Error { get; init; } = "";
}
