namespace Webhooks.Errors;

/// <summary>The database that makes the cluster durable could not be reached or failed the write: nothing was
/// accepted by the call that got this. Maps to UNAVAILABLE; a retry with the same event ids is safe.</summary>
[GenerateSerializer, Alias("webhooks.StoreUnavailableException")]
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException() { }

    public StoreUnavailableException(string message) : base(message) { }

    public StoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
