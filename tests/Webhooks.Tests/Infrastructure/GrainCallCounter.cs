using System.Collections.Concurrent;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Counts the grain calls the test silos receive, by interface and method ("IEndpointGrain.GetStatusAsync"),
/// and by grain too: to show that something costs the grains no calls.</summary>
/// <remarks>Test silos run in the test process, so the counts are shared with the tests.</remarks>
public sealed class GrainCallCounter : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, long> Counts = new(StringComparer.Ordinal);

    /// <summary>Calls of the method to any grain.</summary>
    public static long Of(string interfaceAndMethod) => Counts.GetValueOrDefault(interfaceAndMethod);

    /// <summary>Calls of the method to the grain with this key.</summary>
    public static long Of(string interfaceAndMethod, string grainKey) => Counts.GetValueOrDefault($"{interfaceAndMethod}/{grainKey}");

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = $"{context.InterfaceMethod?.DeclaringType?.Name}.{context.InterfaceMethod?.Name}";
        Counts.AddOrUpdate(method, 1, static (_, n) => n + 1);
        Counts.AddOrUpdate($"{method}/{context.TargetId.Key}", 1, static (_, n) => n + 1);
        return context.Invoke();
    }
}
