using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Webhooks.Outbound;

/// <summary>Connects deliveries: resolves the host once, checks every address it resolved to, and connects to those
/// very addresses, so a name that resolves differently a moment later (DNS rebinding) cannot slip past the check.
/// Used as <see cref="SocketsHttpHandler.ConnectCallback"/>, so it holds for every request, retry and test event.</summary>
public sealed class OutboundConnector(OutboundAddressPolicy policy)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // One refused address refuses the name: a name that mixes public and internal addresses is either a mistake
        // or an attempt to reach inside, and connecting only to some of them would make it work now and then.
        foreach (var address in addresses)
        {
            if (policy.Refusal(address, port) is { } reason)
            {
                throw new OutboundAddressRefusedException(
                    literal is null ? $"refused {host} ({address}): {reason}" : $"refused {address}: {reason}");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
