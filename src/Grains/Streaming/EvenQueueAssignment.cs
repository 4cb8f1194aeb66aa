using Orleans.Streams;
using Webhooks.Placement;

namespace Webhooks.Streaming;

/// <summary>Which silo pulls which stream queue: each silo gets ⌊Q/n⌋ or ⌈Q/n⌉ of the Q queues, and each queue goes
/// to the silo ranked highest for it (<see cref="SiloRanking"/>) that still has room after stronger claims. Every
/// silo computes the same answer from the same set of active silos. Orleans' default (the consistent ring) leaves
/// shares as uneven as the ring's ranges, and with few queues a silo can own none.</summary>
public static class EvenQueueAssignment
{
    /// <summary>The owner of every queue; empty when there are no silos.</summary>
    public static IReadOnlyDictionary<QueueId, SiloAddress> Assign(IEnumerable<QueueId> queues, SiloRanking silos)
    {
        var owners = new Dictionary<QueueId, SiloAddress>();
        if (silos.Count == 0)
        {
            return owners;
        }

        var distinct = queues.Distinct().ToList();
        var larger = distinct.Count % silos.Count;
        var smallShare = distinct.Count / silos.Count;
        var load = new Dictionary<SiloAddress, int>();
        var full = 0;
        // Strongest claims first: a queue goes to the silo ranked first for it unless stronger claims filled that
        // silo, so a joining silo takes the queues it ranks first for and little else moves.
        var claims = distinct
            .SelectMany(q => silos.Weighed(q.ToString()).Select(s => (Queue: q, s.Silo, s.Weight, s.Order)))
            .OrderByDescending(c => c.Weight).ThenByDescending(c => c.Order).ThenBy(c => c.Queue.ToString(), StringComparer.Ordinal);
        foreach (var (queue, silo, _, _) in claims)
        {
            var taken = load.GetValueOrDefault(silo);
            // Only `larger` silos may take the bigger share, so that none is left with fewer than smallShare.
            if (owners.ContainsKey(queue) || taken > smallShare || (taken == smallShare && full == larger))
            {
                continue;
            }

            owners[queue] = silo;
            load[silo] = taken + 1;
            full += taken == smallShare ? 1 : 0;
        }

        return owners;
    }
}
