using System.Collections.Concurrent;
using System.Collections.Immutable;
using Webhooks.Endpoints;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Makes handing chosen events to an endpoint fail, every time, until cleared: a fault inside the cluster
/// that is about one event and does not go away. Nothing real causes one on purpose (user code's failures are the
/// webhook's errors, stores and endpoints fail for everyone), yet that is what poison-event handling is for.</summary>
/// <remarks>Test silos run in the test process, so the set of faulty event ids is shared with the tests.</remarks>
public sealed class InjectedFaults : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, string> Faulty = new(StringComparer.Ordinal);

    /// <summary>Hand-offs of this event fail with <see cref="InvalidOperationException"/> until <see cref="Clear"/>.</summary>
    public static void Fail(string eventId) => Faulty[eventId] = eventId;

    public static void Clear(string eventId) => Faulty.TryRemove(eventId, out _);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!Faulty.IsEmpty && context.Grain is IEndpointGrain && context.Request.GetArgumentCount() > 0
            && context.Request.GetArgument(0) is ImmutableArray<Deliveries.DeliveryRequest> requests
            && requests.FirstOrDefault(r => Faulty.ContainsKey(r.EventId)) is { } faulty)
        {
            throw new InvalidOperationException($"injected fault for event {faulty.EventId}");
        }

        return context.Invoke();
    }
}
