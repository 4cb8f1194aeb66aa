using Webhooks.Deliveries;
using Webhooks.Endpoints.Queue;

namespace Webhooks.Tests.Endpoints;

public sealed class DeliveryLanesTests
{
    [Fact]
    public void Lanes_StartSendsInLaneOrder_ManualThenParkedThenDueThenQueued_EachInFifoOrder()
    {
        var lanes = new DeliveryLanes();
        lanes.Enqueue(Record(1));
        lanes.Enqueue(Record(2));
        lanes.AddDue(Record(3));
        lanes.Park(Record(4));
        lanes.AddManual(Record(5));
        lanes.Park(Record(6));

        var order = new List<long>();
        while (lanes.TryStartNext(out var record))
        {
            order.Add(record.Sequence);
        }

        Assert.Equal([5, 4, 6, 3, 1, 2], order);
        Assert.Equal(6, lanes.InFlight);
        Assert.Equal(0, lanes.Queued);
    }

    [Fact]
    public void Held_CountsEveryLane_InFlight_AndRetryWaits_QueuedLeavesOutInFlight()
    {
        var lanes = new DeliveryLanes();
        lanes.Enqueue(Record(1));
        lanes.Enqueue(Record(2));
        lanes.Park(Record(3));
        lanes.RetryWaitStarted();
        Assert.True(lanes.TryStartNext(out _));

        Assert.Equal(4, lanes.Held);
        Assert.Equal(3, lanes.Queued);
        Assert.Equal(1, lanes.WaitingForRetry);

        lanes.SendEnded();
        lanes.RetryWaitEnded();
        Assert.Equal(2, lanes.Held);
    }

    [Fact]
    public void ManualSequences_AreMarkedWhileQueuedOrReserved_UntilReleasedOrForgotten()
    {
        var lanes = new DeliveryLanes();
        lanes.AddManual(Record(7));
        lanes.ReserveManual(9);
        Assert.True(lanes.IsManual(7));
        Assert.True(lanes.IsManual(9));
        Assert.False(lanes.IsManual(8));

        // Taking a redelivery into a slot keeps its mark until its run ends.
        Assert.True(lanes.TryStartNext(out var started));
        Assert.True(lanes.IsManual(started.Sequence));
        lanes.ReleaseManual(7);
        Assert.False(lanes.IsManual(7));

        lanes.ForgetManual();
        Assert.False(lanes.IsManual(9));
    }

    [Fact]
    public void TryTake_EmptiesEveryLaneWithoutTakingSlots()
    {
        var lanes = new DeliveryLanes();
        lanes.Enqueue(Record(1));
        lanes.AddManual(Record(2));
        lanes.AddDue(Record(3));

        var taken = new List<long>();
        while (lanes.TryTake(out var record))
        {
            taken.Add(record.Sequence);
        }

        Assert.Equal([2, 3, 1], taken);
        Assert.Equal(0, lanes.InFlight);
        Assert.Equal(0, lanes.Held);
    }

    internal static DeliveryRecord Record(long sequence, string endpointId = "ep") => new()
    {
        Id = DeliveryId.Format(endpointId, sequence),
        EndpointId = endpointId,
        Sequence = sequence,
        WebhookId = "wh",
        EventId = $"e{sequence}",
        ObjectType = "dcim.device",
        Event = "created",
        Status = DeliveryStatus.Pending,
        HttpMethod = "POST",
        Url = "http://127.0.0.1:9/",
        ContentType = "application/json",
        Body = "{}",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
