namespace Webhooks.Errors;

/// <summary>The event queue stayed full while a publisher waited: publish again later.
/// Maps to RESOURCE_EXHAUSTED. Nothing of the rejected call was lost or half-accepted for good:
/// a retry with the same event ids is safe.</summary>
[GenerateSerializer, Alias("webhooks.BacklogFullException")]
public sealed class BacklogFullException : Exception
{
    public BacklogFullException() { }

    public BacklogFullException(string message) : base(message) { }
}
