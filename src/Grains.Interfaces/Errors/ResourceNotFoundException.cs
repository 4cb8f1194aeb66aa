namespace Webhooks.Errors;

/// <summary>Maps to NOT_FOUND.</summary>
[GenerateSerializer, Alias("webhooks.ResourceNotFoundException")]
public sealed class ResourceNotFoundException : Exception
{
    public ResourceNotFoundException() { }

    public ResourceNotFoundException(string kind, string id) : base($"{kind} '{id}' not found")
    {
        Kind = kind;
        ResourceId = id;
    }

    [Id(0)] public string Kind { get; private set; } = "";
    [Id(1)] public string ResourceId { get; private set; } = "";
}
