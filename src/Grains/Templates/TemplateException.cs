namespace Webhooks.Templates;

/// <summary>A template failed to render for one event.</summary>
public sealed class TemplateException(string message, Exception? inner = null) : Exception(message, inner);
