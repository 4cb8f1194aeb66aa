using System.Collections.Immutable;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Shaped like the product's state classes (a [GenerateSerializer] class with an immutable collection and
/// a DateTimeOffset), so the tests also show that such state survives the storage serializer.</summary>
[GenerateSerializer, Alias("webhooks.tests.StorageProbeState")]
public sealed class StorageProbeState
{
    [Id(0)] public string? Value { get; set; }
    [Id(1)] public ImmutableArray<string> History { get; set; } = [];
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(3)] public int ReminderTicks { get; set; }
}
