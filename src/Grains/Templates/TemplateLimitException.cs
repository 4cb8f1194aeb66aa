namespace Webhooks.Templates;

/// <summary>A render went past one of its limits; caught where the render started and reported as a template error.</summary>
internal sealed class TemplateLimitException(string message) : Exception(message);
