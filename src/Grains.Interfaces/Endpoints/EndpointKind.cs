namespace Webhooks.Endpoints;

[GenerateSerializer, Alias("webhooks.EndpointKind")]
public enum EndpointKind
{
    Custom = 0,
    Slack = 1,
    Zapier = 2,
}
