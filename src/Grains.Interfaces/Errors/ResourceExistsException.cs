namespace Webhooks.Errors;

/// <summary>Maps to ALREADY_EXISTS.</summary>
[GenerateSerializer, Alias("webhooks.ResourceExistsException")]
public sealed class ResourceExistsException : Exception
{
    public ResourceExistsException() { }

    public ResourceExistsException(string kind, string id) : base($"{kind} '{id}' already exists")
    {
        Kind = kind;
        ResourceId = id;
    }

    [Id(0)] public string Kind { get; private set; } = "";
    [Id(1)] public string ResourceId { get; private set; } = "";
}
