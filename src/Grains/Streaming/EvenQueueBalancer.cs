using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Webhooks.Placement;

namespace Webhooks.Streaming;

/// <summary>Gives this silo's pulling agents their share of the event stream queues (<see cref="EvenQueueAssignment"/>)
/// among the Active silos, and a new share whenever that set changes: a joining silo takes queues as soon as it is
/// Active, and a stopping one gives all of its queues back as soon as it is ShuttingDown, while it can still hand over
/// in order.</summary>
internal sealed partial class EvenQueueBalancer(IServiceProvider services, ILogger<EvenQueueBalancer> logger)
    : QueueBalancerBase(services, logger)
{
    private readonly Lock _lock = new();
    private QueueId[] _queues = [];
    private HashSet<QueueId> _mine = [];

    public override Task Initialize(IStreamQueueMapper queueMapper)
    {
        _queues = [.. queueMapper.GetAllQueues()];
        return base.Initialize(queueMapper);
    }

    public override IEnumerable<QueueId> GetMyQueues()
    {
        lock (_lock)
        {
            return [.. _mine];
        }
    }

    protected override void OnClusterMembershipChange(HashSet<SiloAddress> activeSilos)
    {
        var ranking = new SiloRanking(activeSilos);
        HashSet<QueueId> mine = activeSilos.Contains(SiloAddress)
            ? [.. EvenQueueAssignment.Assign(_queues, ranking).Where(o => o.Value.Equals(SiloAddress)).Select(o => o.Key)]
            : [];
        lock (_lock)
        {
            if (mine.SetEquals(_mine))
            {
                return;
            }

            _mine = mine;
        }

        LogShare(Logger, mine.Count, _queues.Length, activeSilos.Count);
        NotifyListeners().Ignore();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream queues: this silo now pulls {Count} of {Total}, shared among {Silos} active silos")]
    private static partial void LogShare(ILogger logger, int count, int total, int silos);
}
