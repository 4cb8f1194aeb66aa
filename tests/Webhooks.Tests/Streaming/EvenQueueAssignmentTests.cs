using Orleans.Streams;
using Webhooks.Placement;
using Webhooks.Streaming;
using Webhooks.Tests.Placement;
using Xunit.Abstractions;

namespace Webhooks.Tests.Streaming;

/// <summary>The share of the event stream queues each silo pulls.</summary>
public sealed class EvenQueueAssignmentTests(ITestOutputHelper output)
{
    public static TheoryData<int, int> Shapes()
    {
        var shapes = new TheoryData<int, int>();
        foreach (var queues in new[] { 1, 3, 8, 16, 17, 64 })
        {
            foreach (var silos in new[] { 1, 2, 3, 4, 5, 9, 20 })
            {
                shapes.Add(queues, silos);
            }
        }

        return shapes;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryQueueHasOneOwner_AndSharesDifferByAtMostOne(int queueCount, int siloCount)
    {
        var queues = Queues(queueCount);
        var silos = SiloRankingTests.Silos([.. Enumerable.Range(0, siloCount).Select(i => 20_000 + (37 * i))]);

        var owners = EvenQueueAssignment.Assign(queues, new SiloRanking(silos));

        Assert.Equal(queues.Order(), owners.Keys.Order());
        var shares = silos.Select(s => owners.Values.Count(o => o.Equals(s))).ToList();
        Assert.Equal(queueCount, shares.Sum());
        Assert.InRange(shares.Max() - shares.Min(), 0, 1);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EverySiloComputesTheSameOwners_WhateverOrderItSeesQueuesAndSilosIn(int queueCount, int siloCount)
    {
        var queues = Queues(queueCount);
        var silos = SiloRankingTests.Silos([.. Enumerable.Range(0, siloCount).Select(i => 30_000 + (11 * i))]);

        var one = EvenQueueAssignment.Assign(queues, new SiloRanking(silos));
        var other = EvenQueueAssignment.Assign(Enumerable.Reverse(queues), new SiloRanking(Enumerable.Reverse(silos)));

        Assert.Equal(one.OrderBy(o => o.Key), other.OrderBy(o => o.Key));
    }

    [Fact]
    public void ASiloThatJoins_TakesItsShareAndFewOtherQueuesMove()
    {
        // Over 300 clusters of 2 to 9 silos with 8, 16 or 32 queues, one silo joins. The fewest queues that can move
        // is the joining silo's share; the caps of the smaller share move a few more (a rule that sees only the set
        // of silos cannot know which silo had the extra queue). A reshuffle would move most of them.
        var (moved, taken) = (0, 0);
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var queues = Queues(new[] { 8, 16, 32 }[seed % 3]);
            var silos = SiloRankingTests.Silos([.. Enumerable.Range(0, 2 + (seed % 8)).Select(_ => random.Next(10_000, 60_000))]);
            var joined = SiloRankingTests.Silo(random.Next(10_000, 60_000));
            var before = EvenQueueAssignment.Assign(queues, new SiloRanking(silos));
            var after = EvenQueueAssignment.Assign(queues, new SiloRanking([.. silos, joined]));

            var movedHere = queues.Count(q => !before[q].Equals(after[q]));
            var share = after.Values.Count(o => o.Equals(joined));
            Assert.Equal(queues.Length / (silos.Length + 1), share, tolerance: 1);
            Assert.True(movedHere <= queues.Length / 2, $"{queues.Length} queues, {silos.Length} → {silos.Length + 1} silos: {movedHere} moved");
            (moved, taken) = (moved + movedHere, taken + share);
        }

        output.WriteLine($"{(double)moved / taken:0.00} queues moved per queue the joining silo took");
        Assert.InRange((double)moved / taken, 1.0, 1.5);
    }

    [Fact]
    public void ASiloThatLeaves_OnlyItsQueuesAndAFewOthersMove()
    {
        var queues = Queues(16);
        var silos = SiloRankingTests.Silos(11111, 11112, 11113, 11114);
        var before = EvenQueueAssignment.Assign(queues, new SiloRanking(silos));
        var after = EvenQueueAssignment.Assign(queues, new SiloRanking(silos[..3]));

        var theirs = queues.Count(q => before[q].Equals(silos[3]));
        var moved = queues.Count(q => !before[q].Equals(after[q]));

        Assert.Equal(4, theirs);
        Assert.All(after.Values, o => Assert.NotEqual(silos[3], o));
        Assert.InRange(moved, theirs, theirs + 2);
    }

    private static QueueId[] Queues(int count) => [.. Enumerable.Range(0, count).Select(i => QueueId.GetQueueId("events", (uint)i, (uint)(i * 2_654_435_761)))];
}
