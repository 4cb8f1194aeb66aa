using System.IO.Hashing;
using System.Text;

namespace Webhooks.Placement;

/// <summary>Rendezvous (highest random weight) hashing of keys over a set of silos: every silo that sees the same
/// set ranks them the same for a key, with nobody to ask. When a silo joins, only the keys it now ranks first for
/// move (about 1/n of them); when one leaves, only its own keys move, each to its second choice.</summary>
/// <remarks>A silo is weighed by its address without the generation, so a silo restarted on the same address gets
/// back what it had. Orleans has no public hash ring that ranks silos for arbitrary keys, for grains and stream
/// queues alike.</remarks>
public sealed class SiloRanking
{
    private readonly (SiloAddress Silo, ulong Hash)[] _silos;

    public SiloRanking(IEnumerable<SiloAddress> silos) =>
        _silos = [.. silos.Distinct().Order().Select(s => (s, Hash(s.Endpoint.ToString())))];

    public IReadOnlyList<SiloAddress> Silos => [.. _silos.Select(s => s.Silo)];

    public int Count => _silos.Length;

    /// <summary>The silo ranked first for <paramref name="key"/>; null when there is none.</summary>
    public SiloAddress? First(string key)
    {
        var keyHash = Hash(key);
        SiloAddress? best = null;
        var bestWeight = 0UL;
        // Silos are in address order, so among equal weights (one address, two generations) the later one wins.
        foreach (var (silo, siloHash) in _silos)
        {
            var weight = Mix(keyHash ^ siloHash);
            if (best is null || weight >= bestWeight)
            {
                (best, bestWeight) = (silo, weight);
            }
        }

        return best;
    }

    /// <summary>Every silo, the first choice for <paramref name="key"/> first.</summary>
    public IEnumerable<SiloAddress> Ranked(string key) =>
        Weighed(key).OrderByDescending(s => s.Weight).ThenByDescending(s => s.Order).Select(s => s.Silo);

    /// <summary>Every silo with its weight for <paramref name="key"/> (higher ranks first) and its place in address
    /// order (which breaks ties: the later one wins).</summary>
    public IEnumerable<(SiloAddress Silo, ulong Weight, int Order)> Weighed(string key)
    {
        var keyHash = Hash(key);
        return _silos.Select((s, order) => (s.Silo, Mix(keyHash ^ s.Hash), order));
    }

    private static ulong Hash(string value) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(value));

    /// <summary>The SplitMix64 finalizer: makes the weights of one key over many silos independent of each other,
    /// which a bare XOR of two hashes is not.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
