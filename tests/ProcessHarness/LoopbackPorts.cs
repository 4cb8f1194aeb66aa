using System.Net;
using System.Net.Sockets;

namespace Webhooks.ProcessHarness;

/// <summary>Free TCP ports on 127.0.0.1 for child processes to listen on.</summary>
public static class LoopbackPorts
{
    // A child binds its ports some time after it starts: a port handed out is never handed out again in this
    // process, so two children started close together cannot be given the same one.
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>Distinct ports, each free when chosen (the listeners that find them are held open together, so the
    /// system offers a new one each time) and never returned before by this process.</summary>
    public static int[] Free(int count)
    {
        lock (HandedOut)
        {
            var listeners = new List<TcpListener>();
            try
            {
                var ports = new List<int>();
                while (ports.Count < count)
                {
                    var listener = new TcpListener(IPAddress.Loopback, 0);
                    listener.Start();
                    listeners.Add(listener);
                    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                    if (HandedOut.Add(port))
                    {
                        ports.Add(port);
                    }
                }

                return [.. ports];
            }
            finally
            {
                foreach (var listener in listeners)
                {
                    listener.Stop();
                }
            }
        }
    }
}
