using System.Globalization;

namespace Webhooks.Tests.Infrastructure;

/// <summary>A cluster with deliberately small bounds, so that a stalled receiver fills them quickly.</summary>
public sealed class SmallBoundsClusterFixture : ClusterFixture
{
    public const int EndpointCapacity = 10;
    public const int StreamQueueCapacity = 50;
    public const int CacheSize = 16;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Delivery:QueueCapacity"] = EndpointCapacity.ToString(CultureInfo.InvariantCulture),
        ["Delivery:EnqueueWait"] = "00:00:00.300",
        ["Delivery:RetryDelays:0"] = "00:00:00.050",
        ["Delivery:ThrottleMinimumDelay"] = "00:00:00",
        ["Streams:QueueCapacity"] = StreamQueueCapacity.ToString(CultureInfo.InvariantCulture),
        ["Streams:CacheSize"] = CacheSize.ToString(CultureInfo.InvariantCulture),
        ["Streams:PublishWait"] = "00:00:00.300",
        // A full endpoint is waited out however long it stays full: were it counted as a failure, these settings
        // would set events aside within a second, and the backpressure tests would miss them.
        ["PoisonEvents:Attempts"] = "1",
        ["PoisonEvents:After"] = "00:00:00",
    };
}
