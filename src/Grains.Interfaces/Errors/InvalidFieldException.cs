namespace Webhooks.Errors;

/// <summary>A request field is invalid. The gateway maps it to INVALID_ARGUMENT naming the field.</summary>
[GenerateSerializer, Alias("webhooks.InvalidFieldException")]
public sealed class InvalidFieldException : Exception
{
    public InvalidFieldException() { }

    public InvalidFieldException(string field, string reason) : base($"{field}: {reason}")
    {
        Field = field;
        Reason = reason;
    }

    /// <summary>Path of the field as the API names it, e.g. "webhook.condition".</summary>
    [Id(0)] public string Field { get; private set; } = "";
    [Id(1)] public string Reason { get; private set; } = "";
}
