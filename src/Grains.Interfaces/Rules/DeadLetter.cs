using Webhooks.Events;

namespace Webhooks.Rules;

/// <summary>An event a webhook set aside because processing it failed the same way again and again (a poison
/// event): kept whole, so that an operator can requeue it once the cause is fixed, or discard it.</summary>
[GenerateSerializer, Immutable, Alias("webhooks.DeadLetter")]
public sealed record DeadLetter
{
    [Id(0)] public required ObjectEvent Event { get; init; }
    /// <summary>The last failure: the exception's type and message.</summary>
    [Id(1)] public required string Error { get; init; }
    [Id(2)] public int Failures { get; init; }
    [Id(3)] public DateTimeOffset FirstFailedAt { get; init; }
    [Id(4)] public DateTimeOffset DeadLetteredAt { get; init; }
}
