namespace Webhooks.Endpoints;

[GenerateSerializer, Alias("webhooks.CircuitState")]
public enum CircuitState
{
    /// <summary>Sending normally.</summary>
    Closed = 0,

    /// <summary>Too many failures in a row: nothing is sent until the next probe is due.</summary>
    Open = 1,

    /// <summary>One probe is on its way; its outcome closes or reopens the circuit.</summary>
    HalfOpen = 2,
}
