using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Webhooks.Events;
using Webhooks.Hosting;

namespace Webhooks.Tests.Infrastructure;

/// <summary>An Orleans client of a <see cref="SiloProcessCluster"/> (ADO.NET clustering on the cluster's database,
/// its ClusterId and ServiceId), reading from the management grain how the work is spread over the silos: the event
/// stream queues each silo's pulling agents own, and where the endpoint grains are active.</summary>
public sealed class ClusterManagement : IAsyncDisposable
{
    private static readonly GrainType EndpointGrainType = GrainType.Create("endpoint");

    private readonly IHost _host;
    private WorkSnapshot? _last;
    private string? _lastError;

    private ClusterManagement(IHost host) => _host = host;

    private IManagementGrain Management => _host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);

    public static async Task<ClusterManagement> ConnectAsync(SiloProcessCluster cluster)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client => client
                .UseAdoNetClustering(o =>
                {
                    o.Invariant = StorageOptions.Invariant;
                    o.ConnectionString = cluster.Database.ConnectionString;
                })
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ClusterId;
                }))
            .Build();
        await host.StartAsync();
        return new ClusterManagement(host);
    }

    /// <summary>Every active silo's queues and endpoint activations, by silo port. Null when the silos did not answer
    /// consistently (one was joining or leaving between the calls): read again.</summary>
    public async Task<WorkSnapshot?> ReadAsync()
    {
        // The management grain asks every active silo for its number of running pulling agents, in the order of its
        // own list of hosts, and does not say which answer is whose. A client's calls to one grain go through one
        // gateway, where the management grain (a stateless worker) runs; it lists the hosts in the same order as long
        // as membership does not change. So the hosts are read before and after, and the answer kept only when both
        // lists are the same.
        var before = await Management.GetHosts(onlyActive: true);
        var agents = await Management.SendControlCommandToProvider<PersistentStreamProvider>(
            EventStreams.Provider, (int)PersistentStreamProviderCommand.GetNumberRunningAgents);
        var after = await Management.GetHosts(onlyActive: true);
        if (!before.Keys.SequenceEqual(after.Keys) || agents.Length != before.Count)
        {
            return null;
        }

        var statistics = await Management.GetDetailedGrainStatistics(hostsIds: [.. before.Keys]);
        var endpoints = statistics.Where(s => s.GrainId.Type.Equals(EndpointGrainType)).ToLookup(s => s.SiloAddress.Endpoint.Port, s => s.GrainId.Key.ToString()!);
        return new WorkSnapshot(DateTimeOffset.UtcNow, [.. before.Keys.Zip(agents, (silo, count) => new SiloWork(
            silo.Endpoint.Port,
            Convert.ToInt32(count, CultureInfo.InvariantCulture),
            [.. endpoints[silo.Endpoint.Port].Order(StringComparer.Ordinal)]))]);
    }

    /// <summary>The last consistent snapshot read, and the last error, for failure messages.</summary>
    public string LastSeen => $"{_last?.ToString() ?? "no snapshot"}; last error: {_lastError ?? "none"}";

    /// <summary>Reads every 250 ms until <paramref name="accept"/> holds for a consistent snapshot and returns it;
    /// null when <paramref name="timeout"/> passes first. Each snapshot read goes to <paramref name="seen"/>.</summary>
    public async Task<WorkSnapshot?> WaitForAsync(Func<WorkSnapshot, bool> accept, TimeSpan timeout, Action<WorkSnapshot>? seen = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            try
            {
                if (await ReadAsync() is { } snapshot)
                {
                    _last = snapshot;
                    seen?.Invoke(snapshot);
                    if (accept(snapshot))
                    {
                        return snapshot;
                    }
                }
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                // A silo left or was leaving while it was asked.
                _lastError = $"{ex.GetType().Name}: {ex.Message}";
            }
        }
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync());

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    /// <summary>One silo's share: the stream queues its pulling agents own and the endpoints active on it.</summary>
    public sealed record SiloWork(int SiloPort, int Queues, IReadOnlyList<string> Endpoints);

    /// <summary>Every active silo's share at one moment.</summary>
    public sealed record WorkSnapshot(DateTimeOffset At, IReadOnlyList<SiloWork> Silos)
    {
        public int TotalQueues => Silos.Sum(s => s.Queues);

        public SiloWork? Of(SiloProcess silo) => Silos.FirstOrDefault(s => s.SiloPort == silo.SiloPort);

        /// <summary>The silo port where the endpoint is active; null when it is not.</summary>
        public int? HostOf(string endpointId) => Silos.FirstOrDefault(s => s.Endpoints.Contains(endpointId))?.SiloPort;

        public override string ToString() => string.Join("; ", Silos.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.SiloPort}: {s.Queues} queues, endpoints [{string.Join(' ', s.Endpoints)}]")));
    }
}
