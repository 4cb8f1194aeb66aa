namespace Webhooks.Tests.Infrastructure;

/// <summary>What <see cref="TestReceiver"/> answers to one request.</summary>
public sealed record ScriptedResponse(
    int Status,
    IReadOnlyList<(string Name, string Value)>? Headers = null,
    string? Body = null,
    TimeSpan? Delay = null,
    bool Reset = false)
{
    /// <summary>The receiver drops the connection instead of answering: the sender sees a network error.</summary>
    public static ScriptedResponse ConnectionReset { get; } = new(0, Reset: true);
}
