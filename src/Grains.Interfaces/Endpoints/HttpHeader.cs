namespace Webhooks.Endpoints;

[GenerateSerializer, Immutable, Alias("webhooks.HttpHeader")]
public sealed record HttpHeader
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Value { get; init; }
}
