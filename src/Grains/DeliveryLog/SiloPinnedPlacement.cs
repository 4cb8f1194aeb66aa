using Orleans.Runtime.Placement;
using Orleans.Placement;

namespace Webhooks.DeliveryLog;

/// <summary>Places a grain on the silo its key names (<see cref="SiloAddress.ToParsableString"/>), for state that
/// lives in one silo's memory: the embedded default's delivery log.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("webhooks.SiloPinnedPlacement")]
public sealed class SiloPinnedPlacement : PlacementStrategy
{
    public static SiloPinnedPlacement Instance { get; } = new();

    public static string KeyFor(SiloAddress silo) => silo.ToParsableString();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloPinnedPlacementAttribute() : PlacementAttribute(SiloPinnedPlacement.Instance);

/// <summary>Refuses to place the grain anywhere else: a silo that has left has nothing to read.</summary>
internal sealed class SiloPinnedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silo = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new SiloUnavailableException($"silo {silo} is not in the cluster");
    }
}
