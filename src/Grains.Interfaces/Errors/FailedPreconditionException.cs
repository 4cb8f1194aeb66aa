namespace Webhooks.Errors;

/// <summary>The request is well formed but the resource is not in a state that allows it (e.g. redelivering a
/// delivery that is still pending). Maps to FAILED_PRECONDITION.</summary>
[GenerateSerializer, Alias("webhooks.FailedPreconditionException")]
public sealed class FailedPreconditionException : Exception
{
    public FailedPreconditionException() { }

    public FailedPreconditionException(string message) : base(message) { }
}
