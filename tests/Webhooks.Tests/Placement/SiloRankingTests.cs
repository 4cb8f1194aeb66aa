using System.Globalization;
using System.Net;
using Webhooks.Placement;

namespace Webhooks.Tests.Placement;

/// <summary>Rendezvous hashing: the properties placement and the queue balancer rely on.</summary>
public sealed class SiloRankingTests
{
    private static readonly string[] Keys = [.. Enumerable.Range(0, 10_000).Select(i => $"endpoint/ep-{i}")];

    [Fact]
    public void EverySiloRanksTheSameWhateverOrderItListsTheSilosIn()
    {
        var silos = Silos(11111, 11112, 11113, 11114, 11115);
        var ranking = new SiloRanking(silos);
        var reversed = new SiloRanking(Enumerable.Reverse(silos));
        var shuffled = new SiloRanking(silos.OrderBy(s => s.GetHashCode()));

        Assert.All(Keys.Take(500), key =>
        {
            Assert.Equal(ranking.First(key), reversed.First(key));
            Assert.Equal(ranking.First(key), shuffled.First(key));
            Assert.Equal(ranking.Ranked(key), reversed.Ranked(key));
            Assert.Equal(ranking.First(key), ranking.Ranked(key).First());
        });
    }

    [Fact]
    public void KeysSpreadEvenlyOverTheSilos()
    {
        var ranking = new SiloRanking(Silos(11111, 11112, 11113, 11114));

        var counts = Keys.GroupBy(ranking.First).Select(g => g.Count()).ToList();

        // 10,000 keys over 4 silos: 2,500 each, binomial σ ≈ 43; 10 % off would be nearly 6σ.
        Assert.Equal(4, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 2_250, 2_750));
    }

    [Fact]
    public void ASiloThatJoins_TakesOnlyKeysItNowRanksFirstFor_AboutOneInN()
    {
        var before = new SiloRanking(Silos(11111, 11112, 11113));
        var joined = Silo(11114);
        var after = new SiloRanking([.. before.Silos, joined]);

        var moved = Keys.Where(k => !Equals(before.First(k), after.First(k))).ToList();

        Assert.All(moved, k => Assert.Equal(joined, after.First(k)));
        Assert.InRange(moved.Count, 2_250, 2_750);
    }

    [Fact]
    public void ASiloThatLeaves_GivesUpOnlyItsOwnKeys_EachToItsSecondChoice()
    {
        var before = new SiloRanking(Silos(11111, 11112, 11113, 11114));
        var left = Silo(11112);
        var after = new SiloRanking(before.Silos.Where(s => !s.Equals(left)));

        Assert.All(Keys, k =>
        {
            if (Equals(before.First(k), left))
            {
                Assert.Equal(before.Ranked(k).ElementAt(1), after.First(k));
            }
            else
            {
                Assert.Equal(before.First(k), after.First(k));
            }
        });
    }

    [Fact]
    public void ASiloRestartedOnTheSameAddress_GetsBackWhatItHad()
    {
        var silos = Silos(11111, 11112, 11113);
        var restarted = SiloAddress.New(silos[1].Endpoint, silos[1].Generation + 1);
        var before = new SiloRanking(silos);
        var after = new SiloRanking([silos[0], restarted, silos[2]]);

        Assert.All(Keys.Take(1_000), k => Assert.Equal(before.First(k)!.Endpoint, after.First(k)!.Endpoint));
    }

    [Fact]
    public void WhileTheOldGenerationOfASiloIsStillListed_BothRankTogetherAndTheNewOneWins()
    {
        // After kill -9 and a restart on the same port, the dead silo stays in the table until it is voted out.
        var old = Silo(11112);
        var restarted = SiloAddress.New(old.Endpoint, old.Generation + 1);
        var ranking = new SiloRanking([Silo(11111), old, restarted, Silo(11113)]);

        Assert.All(Keys.Take(1_000), k =>
        {
            Assert.NotEqual(old, ranking.First(k));
            var ranked = ranking.Ranked(k).ToList();
            Assert.Equal(ranked.IndexOf(restarted) + 1, ranked.IndexOf(old));
        });
    }

    [Fact]
    public void NoSilos_NoChoice() => Assert.Null(new SiloRanking([]).First("endpoint/ep-1"));

    internal static SiloAddress Silo(int port, int generation = 1) =>
        SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);

    internal static SiloAddress[] Silos(params int[] ports) => [.. ports.Select(p => Silo(p, 100 + p % 7))];

    internal static string Key(int i) => i.ToString(CultureInfo.InvariantCulture);
}
