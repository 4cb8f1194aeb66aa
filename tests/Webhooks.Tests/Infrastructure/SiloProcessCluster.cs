using System.Diagnostics;
using System.Globalization;
using System.Net;
using Grpc.Core;
using Webhooks.Api.V1;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Silo processes (<see cref="SiloProcess"/>) of one cluster on one fresh database, as the multi-process
/// durability tests run them: which were started, which are live (publishers and API calls go to those), one publish
/// attempt through a given silo, membership waits, and where the logs are. Every silo it started is killed on
/// dispose; the logs stay in <see cref="LogDirectory"/>.</summary>
public sealed class SiloProcessCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan MembershipTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Orleans:ShutdownTimeout's default, which the silos keep unless a test passes the setting.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long past <see cref="ShutdownTimeout"/> <see cref="StopAsync"/> waits before killing.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(15);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly List<SiloProcess> _started = [];
    private readonly List<SiloProcess> _live = [];
    private int _nextGateway;

    private SiloProcessCluster(string clusterId, PostgresServer.Database database, string logDirectory)
    {
        ClusterId = clusterId;
        Database = database;
        LogDirectory = logDirectory;
        Membership = new MembershipTable(database.ConnectionString, clusterId);
    }

    /// <summary>Orleans ClusterId and ServiceId of every silo.</summary>
    public string ClusterId { get; }

    public PostgresServer.Database Database { get; }

    public string LogDirectory { get; }

    public MembershipTable Membership { get; }

    /// <summary>What the test did when, stamped like the silos' logs.</summary>
    public Timeline Timeline { get; } = new();

    /// <summary>Accepted publishes by the silo that accepted them.</summary>
    public CountByKey AcceptedBy { get; } = new();

    /// <summary>"silo logs: path, path, …" of every silo started, for failure messages.</summary>
    public string Logs => $"silo logs: {string.Join(", ", Started.Select(s => s.LogPath))}";

    public IReadOnlyList<SiloProcess> Started
    {
        get
        {
            lock (_started)
            {
                return [.. _started];
            }
        }
    }

    public IReadOnlyList<SiloProcess> Live
    {
        get
        {
            lock (_live)
            {
                return [.. _live];
            }
        }
    }

    /// <summary>Configuration every silo of this cluster starts with, as KEY=VALUE.</summary>
    public IReadOnlyList<string> Settings { get; set; } = [];

    /// <summary>A fresh database and a log directory named after <paramref name="purpose"/> and the cluster.</summary>
    public static async Task<SiloProcessCluster> CreateAsync(string clusterId, string purpose)
    {
        var logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-{purpose}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{clusterId}");
        Directory.CreateDirectory(logDirectory);
        return new SiloProcessCluster(clusterId, await PostgresServer.CreateDatabaseAsync(), logDirectory);
    }

    /// <summary>Starts one silo of this cluster; returns at once. It is not live until <see cref="AddLive"/>.</summary>
    /// <param name="settings">More configuration, as KEY=VALUE.</param>
    public SiloProcess Start(string name, IEnumerable<string>? settings = null)
    {
        var silo = SiloProcess.Start(name, ClusterId, Database.ConnectionString, LogDirectory, [.. Settings, .. settings ?? []]);
        lock (_started)
        {
            _started.Add(silo);
        }

        Mark($"started {silo}, log {silo.LogPath}");
        return silo;
    }

    /// <summary>Starts the silos, waits until each answers and all are Active in the membership table, and makes
    /// them live.</summary>
    public async Task<SiloProcess[]> StartActiveAsync(params string[] names)
    {
        var silos = names.Select(name => Start(name)).ToArray();
        await Task.WhenAll(silos.Select(s => s.WaitReadyAsync(StartTimeout)));
        await WaitForMembershipAsync(silos, [], $"the silos {string.Join(", ", names)} are Active");
        AddLive(silos);
        Mark($"cluster of {silos.Length} up: {string.Join("; ", silos.Select(s => s.ToString()))}");
        return silos;
    }

    /// <summary>Starts a silo and measures its start: until its gRPC API answers
    /// (<see cref="SiloProcess.WaitReadyAsync"/>), until /readyz says 200 (joined, database reachable, accepting) and
    /// until it is Active in the membership table; then makes it live.</summary>
    public async Task<SiloStart> StartAndJoinAsync(string name, IEnumerable<string>? settings = null)
    {
        var clock = Stopwatch.StartNew();
        var silo = Start(name, settings);
        await silo.WaitReadyAsync(StartTimeout);
        var answering = clock.Elapsed;
        await WaitForReadinessAsync(silo);
        var ready = clock.Elapsed;
        await WaitForMembershipAsync([silo], [], $"silo {name} is Active");
        var active = clock.Elapsed;
        AddLive(silo);
        Mark(string.Create(CultureInfo.InvariantCulture,
            $"{silo} up: answering after {answering.TotalSeconds:0.0} s, /readyz 200 after {ready.TotalSeconds:0.0} s, Active after {active.TotalSeconds:0.0} s; live"));
        return new SiloStart(silo, answering, ready, active, DateTimeOffset.UtcNow);
    }

    /// <summary>Polls the silo's /readyz until it answers 200; fails when the process exits or
    /// <see cref="StartTimeout"/> passes first.</summary>
    public async Task WaitForReadinessAsync(SiloProcess silo)
    {
        HttpStatusCode? last = null;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                Assert.False(silo.HasExited, $"silo {silo.Name} exited while starting:\n{silo.Tail(30)}");
                try
                {
                    using var response = await Http.GetAsync($"{silo.HttpUrl}/readyz");
                    return (last = response.StatusCode) == HttpStatusCode.OK;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet, or too slow to answer
                }
            }, $"silo {silo.Name}'s /readyz answers 200", StartTimeout);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message} (last answer: {last?.ToString() ?? "none"}); log {silo.LogPath}");
        }
    }

    /// <summary>Takes the silo out of the live set (as a load balancer would), sends SIGTERM and waits for it to
    /// exit by itself, up to <see cref="ShutdownTimeout"/> and a grace; kills it (SIGKILL) if it has not.</summary>
    public async Task<SiloStop> StopAsync(SiloProcess silo)
    {
        RemoveLive(silo);
        var at = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        Mark($"SIGTERM {silo}");
        silo.Process.Terminate();
        var exited = await silo.Process.WaitForExitAsync(ShutdownTimeout + ExitGrace);
        var took = clock.Elapsed;
        if (!exited)
        {
            silo.Kill();
            await silo.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        var stop = new SiloStop(silo, at, took, exited, silo.Process.ExitCode);
        Mark($"{silo} {stop}");
        return stop;
    }

    public void AddLive(params SiloProcess[] silos)
    {
        lock (_live)
        {
            _live.AddRange(silos);
        }
    }

    public void RemoveLive(SiloProcess silo)
    {
        lock (_live)
        {
            _live.Remove(silo);
        }
    }

    /// <summary>The next live silo in turn, another than <paramref name="avoid"/> when there is one.</summary>
    public SiloProcess NextGateway(SiloProcess? avoid = null)
    {
        lock (_live)
        {
            Assert.NotEmpty(_live);
            var candidates = _live.Count > 1 && avoid is not null ? _live.Where(s => s != avoid).ToList() : _live;
            return candidates[(int)((uint)_nextGateway++ % (uint)candidates.Count)];
        }
    }

    /// <summary>One attempt at a batch through <paramref name="silo"/>'s gateway: null when it answered OK, else the
    /// failure and the gateway. A failed assertion is not a publish failure: it ends the test.</summary>
    public async Task<string?> PublishAsync(SiloProcess silo, PublishBatchRequest request)
    {
        string failure;
        try
        {
            var response = await silo.Events.PublishBatchAsync(request, deadline: DateTime.UtcNow + CallDeadline);
            Assert.Equal(request.Events.Count, response.EventIds.Count);
            AcceptedBy.Add(silo.Name);
            return null;
        }
        catch (RpcException ex)
        {
            failure = ex.StatusCode.ToString();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or ObjectDisposedException)
        {
            failure = ex.GetType().Name;
        }

        return $"{failure} from {silo.Name}";
    }

    /// <summary>Waits until every silo in <paramref name="active"/> is Active and every one in <paramref name="dead"/>
    /// Dead; the failure names the table's content and the logs.</summary>
    public async Task WaitForMembershipAsync(IEnumerable<SiloProcess> active, IEnumerable<SiloProcess> dead, string what)
    {
        try
        {
            await Poll.UntilAsync(() => Membership.IsAsync(active, dead), what, MembershipTimeout);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}; membership (silo port: status): {await Membership.DescribeAsync()}; {Logs}");
        }
    }

    public void Mark(string what) => Timeline.Mark(what);

    /// <summary>Per silo: its log's warn, fail and crit lines, and the lines naming what a lost or stalled delivery
    /// usually leaves behind (a queue cache miss, an aborted graceful shutdown), to know which log to read.</summary>
    public string LogLevels() => string.Join("; ", Started.Select(silo =>
    {
        var lines = silo.Process.ReadLog().Split('\n');
        int Count(string what) => lines.Count(l => l.Contains(what, StringComparison.Ordinal));
        return string.Create(CultureInfo.InvariantCulture,
            $"{silo.Name}: {Count(" warn: ")} warn, {Count(" fail: ")} fail, {Count(" crit: ")} crit, " +
            $"{Count("QueueCacheMissException")} QueueCacheMissException, {Count("Graceful shutdown aborted")} graceful shutdown aborted");
    }));

    /// <summary>Kills every silo still running and drops the database.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Started)
        {
            await silo.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    /// <summary>A silo started by <see cref="StartAndJoinAsync"/>: how long until its gRPC API answered, until /readyz
    /// said 200 and until it was Active, and when it was all three.</summary>
    public sealed record SiloStart(SiloProcess Silo, TimeSpan Answering, TimeSpan Ready, TimeSpan Active, DateTimeOffset ReadyAt);

    /// <summary>A silo stopped by <see cref="StopAsync"/>: when the SIGTERM went, how long until the process was gone,
    /// whether it exited by itself, and its exit code.</summary>
    public sealed record SiloStop(SiloProcess Silo, DateTimeOffset SigtermAt, TimeSpan Took, bool ExitedByItself, int? ExitCode)
    {
        /// <summary>Exited by itself, with exit code 0, within <see cref="ShutdownTimeout"/>.</summary>
        public bool Clean => ExitedByItself && ExitCode == 0 && Took <= ShutdownTimeout;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{(ExitedByItself ? "exited" : "did not exit, killed")} {Took.TotalSeconds:0.0} s after SIGTERM, exit code {ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
    }
}
