using System.Collections.Immutable;

namespace Webhooks.Tests.Infrastructure;

/// <summary>What a <see cref="IStorageProbeGrain"/> activation holds, and which activation it is.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.tests.StorageProbeSnapshot")]
public sealed record StorageProbeSnapshot(
    [property: Id(0)] string? Value,
    [property: Id(1)] ImmutableArray<string> History,
    [property: Id(2)] DateTimeOffset UpdatedAt,
    [property: Id(3)] int ReminderTicks,
    [property: Id(4)] bool RecordExists,
    [property: Id(5)] string? ETag,
    [property: Id(6)] Guid ActivationId);
