using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Orleans.Metadata;

namespace Webhooks.Placement;

/// <summary>Moves the grains placed with <see cref="RendezvousPlacement"/> that are active here to the silo now
/// ranked first for them, when the set of silos that can host them changes (and every
/// <see cref="RebalancingOptions.CheckInterval"/>): a silo that joins gets its share of the existing grains instead of
/// only new ones. A silo that leaves needs nothing from here; its grains are placed on their second choice when they
/// are next called.</summary>
/// <remarks>Grains register while active (<see cref="Register"/>), because Orleans has no public list of a silo's
/// activations by type. The cluster manifest is what placement reads too, so a move goes where placement sends it
/// (a move is Orleans' migration: the grain deactivates when idle and is activated on the target at once).</remarks>
internal sealed partial class RendezvousRebalancer(
    IClusterManifestProvider manifests,
    IGrainFactory grains,
    ILocalSiloDetails local,
    IOptions<RebalancingOptions> options,
    TimeProvider time,
    ILogger<RendezvousRebalancer> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan ManifestPoll = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<GrainId, byte> _active = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    public void Register(GrainId grain) => _active.TryAdd(grain, 0);

    public void Unregister(GrainId grain) => _active.TryRemove(grain, out _);

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (options.Value.Enabled)
        {
            lifecycle.Subscribe(nameof(RendezvousRebalancer), ServiceLifecycleStage.Active, Start, Stop);
        }
    }

    /// <summary>The grains active here that belong on another silo, with the silo each belongs on, by the silos in
    /// <paramref name="manifest"/> that can host their type.</summary>
    public IReadOnlyList<(GrainId Grain, SiloAddress Target)> Misplaced(ClusterManifest manifest)
    {
        var rankings = new Dictionary<GrainType, SiloRanking>();
        var misplaced = new List<(GrainId, SiloAddress)>();
        foreach (var grain in _active.Keys)
        {
            if (!rankings.TryGetValue(grain.Type, out var ranking))
            {
                ranking = rankings[grain.Type] = new SiloRanking(
                    manifest.Silos.Where(s => s.Value.Grains.ContainsKey(grain.Type)).Select(s => s.Key));
            }

            if (ranking.First(grain.ToString()) is { } first && !first.Equals(local.SiloAddress))
            {
                misplaced.Add((grain, first));
            }
        }

        return misplaced;
    }

    private Task Start(CancellationToken cancellationToken)
    {
        _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var checkedSilos = new HashSet<SiloAddress>();
        var checkedAt = time.GetTimestamp();
        using var poll = new PeriodicTimer(ManifestPoll, time);
        try
        {
            while (await poll.WaitForNextTickAsync(cancellationToken))
            {
                var manifest = manifests.Current;
                // Not in the manifest: not Active yet, or stopping, when its grains leave by themselves.
                if (!manifest.Silos.ContainsKey(local.SiloAddress)
                    || (manifest.Silos.Keys.ToHashSet().SetEquals(checkedSilos) && time.GetElapsedTime(checkedAt) < options.Value.CheckInterval))
                {
                    continue;
                }

                checkedSilos = manifest.Silos.Keys.ToHashSet();
                checkedAt = time.GetTimestamp();
                await MoveAsync(Misplaced(manifest), checkedSilos.Count, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFailed(logger, ex);
        }
    }

    private async Task MoveAsync(IReadOnlyList<(GrainId Grain, SiloAddress Target)> misplaced, int silos, CancellationToken cancellationToken)
    {
        if (misplaced.Count == 0)
        {
            return;
        }

        LogMoving(logger, misplaced.Count, _active.Count, silos);
        var spacing = TimeSpan.FromSeconds(1.0 / options.Value.MovesPerSecond);
        foreach (var (grain, target) in misplaced)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                // Placement (which ranks the same way) picks the target; the grain moves once it is idle.
                await grains.GetGrain(grain).AsReference<IGrainManagementExtension>().MigrateOnIdle(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Deactivating already, or its silo is stopping: it is placed afresh when next called.
                LogMoveFailed(logger, grain, target, ex.Message);
            }

            await Task.Delay(spacing, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moving {Count} of the {Active} rebalanced grains active here to the silos they now belong on ({Silos} silos)")]
    private static partial void LogMoving(ILogger logger, int count, int active, int silos);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not move {Grain} to {Target}: {Reason}")]
    private static partial void LogMoveFailed(ILogger logger, GrainId grain, SiloAddress target, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebalancing stopped")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
