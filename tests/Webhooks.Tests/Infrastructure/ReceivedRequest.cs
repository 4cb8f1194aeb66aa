using System.Text;
using System.Text.Json;

namespace Webhooks.Tests.Infrastructure;

public sealed record ReceivedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    DateTimeOffset ArrivedAt)
{
    /// <summary>"HTTP/1.1", "HTTP/2".</summary>
    public string Protocol { get; init; } = "";

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();
}
