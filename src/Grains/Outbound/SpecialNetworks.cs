using System.Net;

namespace Webhooks.Outbound;

/// <summary>Address ranges that deliveries never reach unless an operator allows them on purpose: a receiver there
/// is this host, the provider's metadata service, or a machine inside the operator's own network.</summary>
public static class SpecialNetworks
{
    public sealed record Range(IPNetwork Network, string Kind);

    public static IReadOnlyList<Range> Denied { get; } =
    [
        new(IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        new(IPNetwork.Parse("::1/128"), "loopback"),
        new(IPNetwork.Parse("169.254.0.0/16"), "link-local (cloud metadata)"),
        new(IPNetwork.Parse("fe80::/10"), "link-local (cloud metadata)"),
        new(IPNetwork.Parse("10.0.0.0/8"), "private"),
        new(IPNetwork.Parse("172.16.0.0/12"), "private"),
        new(IPNetwork.Parse("192.168.0.0/16"), "private"),
        new(IPNetwork.Parse("fc00::/7"), "private (unique local)"),
        new(IPNetwork.Parse("100.64.0.0/10"), "shared address space (CGNAT)"),
        new(IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        new(IPNetwork.Parse("ff00::/8"), "multicast"),
        new(IPNetwork.Parse("255.255.255.255/32"), "broadcast"),
        new(IPNetwork.Parse("0.0.0.0/8"), "unspecified (this host)"),
        new(IPNetwork.Parse("::/128"), "unspecified (this host)"),
        new(IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        new(IPNetwork.Parse("192.0.0.0/24"), "reserved (protocol assignments)"),
        new(IPNetwork.Parse("198.18.0.0/15"), "reserved (benchmarking)"),
        // These embed an IPv4 address that a translator on the path may reach: 169.254.169.254 behind NAT64 or 6to4.
        new(IPNetwork.Parse("64:ff9b::/96"), "IPv4 embedded in IPv6 (NAT64)"),
        new(IPNetwork.Parse("64:ff9b:1::/48"), "IPv4 embedded in IPv6 (NAT64)"),
        new(IPNetwork.Parse("2002::/16"), "IPv4 embedded in IPv6 (6to4)"),
        new(IPNetwork.Parse("::/96"), "IPv4 embedded in IPv6 (compatible)"),
    ];

    /// <summary>The loopback ranges, which the service's loopback default opens for deliveries.</summary>
    public static IReadOnlyList<string> Loopback { get; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address; every check sees that one.</summary>
    public static IPAddress Canonical(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
