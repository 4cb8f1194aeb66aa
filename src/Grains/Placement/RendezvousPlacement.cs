using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Webhooks.Placement;

/// <summary>Places a grain on the compatible silo ranked first for its id (<see cref="SiloRanking"/>): grains spread
/// evenly by count, any silo knows where a grain belongs without asking, and a change of silos moves only the grains
/// whose first choice changed (<see cref="RendezvousRebalancer"/> moves them).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("webhooks.RendezvousPlacement")]
public sealed class RendezvousPlacement : PlacementStrategy
{
    public static RendezvousPlacement Instance { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RendezvousPlacementAttribute() : PlacementAttribute(RendezvousPlacement.Instance);

internal sealed class RendezvousPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(new SiloRanking(context.GetCompatibleSilos(target)).First(target.GrainIdentity.ToString())
            ?? throw new SiloUnavailableException($"no silo can host {target.GrainIdentity}"));
}
