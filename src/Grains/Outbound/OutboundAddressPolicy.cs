using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Webhooks.Endpoints;

namespace Webhooks.Outbound;

/// <summary>Which addresses deliveries may connect to. In order: this service's own listeners (its ports on any of
/// its addresses) are refused always; then Delivery:DeniedNetworks refuses; then Delivery:AllowedNetworks allows;
/// then the <see cref="SpecialNetworks"/> are refused; every other address is allowed.</summary>
public sealed class OutboundAddressPolicy
{
    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _denied;
    private readonly HashSet<int> _ownPorts;
    private readonly HashSet<IPAddress> _ownAddresses;

    /// <summary>The silo's policy: its settings, its Orleans ports and the listeners its host registered.</summary>
    public static OutboundAddressPolicy Create(IServiceProvider services)
    {
        var delivery = services.GetRequiredService<IOptions<DeliveryOptions>>().Value;
        var silo = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var listeners = services.GetRequiredService<IOptions<ServiceListenerOptions>>().Value;
        return new OutboundAddressPolicy(delivery.AllowedNetworks, delivery.DeniedNetworks,
            [silo.SiloPort, silo.GatewayPort, .. listeners.Ports],
            [.. LocalAddresses(), .. silo.AdvertisedIPAddress is { } advertised ? [advertised] : Array.Empty<IPAddress>()]);
    }

    public OutboundAddressPolicy(IEnumerable<string> allowed, IEnumerable<string> denied, IEnumerable<int> ownPorts, IEnumerable<IPAddress> ownAddresses)
    {
        _allowed = [.. allowed.Select(IPNetwork.Parse)];
        _denied = [.. denied.Select(IPNetwork.Parse)];
        _ownPorts = [.. ownPorts.Where(p => p > 0)];
        _ownAddresses = [.. ownAddresses.Select(SpecialNetworks.Canonical)];
    }

    /// <summary>Why a connection to <paramref name="address"/>:<paramref name="port"/> is refused; null when it is
    /// allowed.</summary>
    public string? Refusal(IPAddress address, int port)
    {
        address = SpecialNetworks.Canonical(address);
        if (_ownPorts.Contains(port) && IsThisHost(address))
        {
            return "it is this service's own listener";
        }

        foreach (var network in _denied)
        {
            if (network.Contains(address))
            {
                return $"Delivery:DeniedNetworks holds {network}";
            }
        }

        foreach (var network in _allowed)
        {
            if (network.Contains(address))
            {
                return null;
            }
        }

        foreach (var range in SpecialNetworks.Denied)
        {
            if (range.Network.Contains(address))
            {
                return $"it is a {range.Kind} address (Delivery:AllowedNetworks can allow {range.Network})";
            }
        }

        return null;
    }

    /// <summary>Whether every entry is a CIDR range such as 10.0.0.0/8; <paramref name="problem"/> names the first
    /// that is not.</summary>
    public static bool TryParseAll(IEnumerable<string> networks, out string? problem)
    {
        foreach (var network in networks)
        {
            if (!IPNetwork.TryParse(network, out _))
            {
                problem = $"'{network}' is not a CIDR range such as 10.0.0.0/8";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private bool IsThisHost(IPAddress address) =>
        IPAddress.IsLoopback(address) || _ownAddresses.Contains(address)
        || address.Equals(IPAddress.IPv6Any)
        || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 0);

    private static IPAddress[] LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToArray();
        }
        catch (NetworkInformationException)
        {
            // Without the list, loopback and the advertised address still count as this host.
            return [];
        }
    }
}
