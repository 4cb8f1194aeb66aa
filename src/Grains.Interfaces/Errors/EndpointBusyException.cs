namespace Webhooks.Errors;

/// <summary>An endpoint's queue stayed full for the whole wait: the caller should retry later.
/// Maps to RESOURCE_EXHAUSTED; inside the cluster the stream redelivers the event.</summary>
[GenerateSerializer, Alias("webhooks.EndpointBusyException")]
public sealed class EndpointBusyException : Exception
{
    public EndpointBusyException() { }

    public EndpointBusyException(string message) : base(message) { }
}
