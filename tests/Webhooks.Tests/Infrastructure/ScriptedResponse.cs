namespace Webhooks.Tests.Infrastructure;

/// <summary>What <see cref="TestReceiver"/> answers to one request.</summary>
public sealed record ScriptedResponse(int Status, IReadOnlyList<(string Name, string Value)>? Headers = null, string? Body = null);
