using Webhooks.Events;
using Webhooks.Rules;

namespace Webhooks.Tests.Rules;

public sealed class ObjectTypeFilterTests
{
    [Theory]
    [InlineData(new[] { "dcim.device" }, "dcim.device", true)]
    [InlineData(new[] { "dcim.device" }, "dcim.interface", false)]
    [InlineData(new[] { "dcim.*" }, "dcim.interface", true)]
    [InlineData(new[] { "dcim.*" }, "dcimx.interface", false)]
    [InlineData(new[] { "*" }, "anything.new", true)]
    public void Matches_ExactPrefixAndAll(string[] patterns, string type, bool expected) =>
        Assert.Equal(expected, new ObjectTypeFilter(patterns).Matches(type));

    [Fact]
    public void StreamKeys_ExactTypesOnly_SubscribeToEachType()
    {
        Assert.Equal(["dcim.device", "ipam.prefix"], new ObjectTypeFilter(["ipam.prefix", "dcim.device"]).StreamKeys.ToArray());
    }

    [Fact]
    public void StreamKeys_AnyPattern_SubscribesOnlyToTheAllTypesStream_SoNothingArrivesTwice()
    {
        Assert.Equal([EventStreams.AllTypesKey], new ObjectTypeFilter(["dcim.device", "dcim.*"]).StreamKeys.ToArray());
    }
}
