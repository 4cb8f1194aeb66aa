using System.Net;
using Webhooks.Outbound;

namespace Webhooks.Tests.Outbound;

/// <summary>The outbound address policy against the IANA special-purpose registries (RFC 6890 and its updates).</summary>
public sealed class OutboundAddressPolicyTests
{
    private static readonly IPAddress HostAddress = IPAddress.Parse("203.0.113.7");

    private static OutboundAddressPolicy Policy(string[]? allowed = null, string[]? denied = null) =>
        new(allowed ?? [], denied ?? [], [5000, 5001], [HostAddress]);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("::1")]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("224.0.0.251")]
    [InlineData("ff02::1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:a9fe:a9fe::1")]
    public void SpecialAddressesAreRefusedByDefault(string address) =>
        Assert.NotNull(Policy().Refusal(IPAddress.Parse(address), 80));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::6810:84e5")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddressesAreAllowed(string address) =>
        Assert.Null(Policy().Refusal(IPAddress.Parse(address), 443));

    [Fact]
    public void TheRefusalSaysWhatKindOfAddressItIs()
    {
        Assert.Contains("link-local", Policy().Refusal(IPAddress.Parse("169.254.169.254"), 80));
        Assert.Contains("private", Policy().Refusal(IPAddress.Parse("10.1.2.3"), 80));
        Assert.Contains("loopback", Policy().Refusal(IPAddress.Parse("::ffff:127.0.0.1"), 80));
    }

    [Fact]
    public void AllowedNetworksOpenASpecialRangeOnPurpose()
    {
        var policy = Policy(allowed: ["10.20.0.0/16"]);
        Assert.Null(policy.Refusal(IPAddress.Parse("10.20.3.4"), 80));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("10.21.0.1"), 80));
    }

    [Fact]
    public void DeniedNetworksWinOverAllowedOnesAndCloseOrdinaryAddresses()
    {
        var policy = Policy(allowed: ["10.0.0.0/8"], denied: ["10.9.0.0/16", "198.51.100.0/24"]);
        Assert.Null(policy.Refusal(IPAddress.Parse("10.8.0.1"), 80));
        Assert.Contains("Delivery:DeniedNetworks", policy.Refusal(IPAddress.Parse("10.9.0.1"), 80));
        Assert.Contains("Delivery:DeniedNetworks", policy.Refusal(IPAddress.Parse("198.51.100.20"), 80));
    }

    [Theory]
    [InlineData("127.0.0.1", 5000)]
    [InlineData("::1", 5001)]
    [InlineData("0.0.0.0", 5001)]
    [InlineData("203.0.113.7", 5000)]
    [InlineData("::ffff:203.0.113.7", 5001)]
    public void TheServicesOwnListenersAreRefusedEvenWhenTheirRangeIsAllowed(string address, int port)
    {
        var policy = Policy(allowed: ["127.0.0.0/8", "::1/128", "0.0.0.0/8", "203.0.113.0/24"]);
        Assert.Contains("own listener", policy.Refusal(IPAddress.Parse(address), port));
    }

    [Fact]
    public void OtherPortsOnAnAllowedLoopbackAreReachable()
    {
        var policy = Policy(allowed: ["127.0.0.0/8"]);
        Assert.Null(policy.Refusal(IPAddress.Parse("127.0.0.1"), 8080));
        Assert.Null(policy.Refusal(IPAddress.Parse("203.0.113.7"), 8080));
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("10.0.0.0", false)]
    [InlineData("ten/8", false)]
    public void NetworkSettingsMustBeCidrRanges(string network, bool valid) =>
        Assert.Equal(valid, OutboundAddressPolicy.TryParseAll([network], out _));

    [Fact]
    public void ARangeWrittenWithHostBits_CoversItsWholePrefix()
    {
        Assert.Null(Policy(allowed: ["10.1.2.3/8"]).Refusal(IPAddress.Parse("10.200.0.1"), 80));
        Assert.NotNull(Policy(denied: ["93.184.1.2/16"]).Refusal(IPAddress.Parse("93.184.215.14"), 80));
    }
}
