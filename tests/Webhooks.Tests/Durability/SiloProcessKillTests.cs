using System.Globalization;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres under `kill -9`: three real silo processes (src/Silo's build) form one cluster
/// on a fresh database; concurrent publishers send 10 000 events through their gRPC gateways while one silo, then
/// (after a replacement has joined and the first is declared dead) another, is killed with SIGKILL. A publish that
/// fails is sent again, same event ids, to another live gateway; only events whose publish answered OK count as
/// accepted. Every accepted event must then reach every endpoint of every matching webhook, with few duplicates.</summary>
[Trait("Category", "Durability")]
public sealed class SiloProcessKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int EventCount = 10_000;
    private const int BatchSize = 100;
    private const int Publishers = 4;

    // Each kill comes when this many events are accepted, and batches from its gate on wait until it has happened,
    // so both kills land while publishes are in flight however fast publishing runs. Between the kills, batches
    // from RecoveredGate on wait until the replacement is Active and the first victim Dead.
    private const int FirstKillAt = 2_500;
    private const int FirstKillGate = 4_000;
    private const int RecoveredGate = 6_000;
    private const int SecondKillAt = 6_500;
    private const int SecondKillGate = 8_500;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(3);

    private readonly AcceptedEventsLoad _load = new($"k{Guid.NewGuid():N}"[..9], EventCount, BatchSize, Publishers);
    private readonly TaskCompletionSource _firstKill = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _secondKill = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SiloProcessCluster _cluster = null!;
    private TestReceiver _receiver = null!;
    private TwoTypeWebhooks _webhooks = null!;

    private string Logs => _cluster.Logs;

    public async Task InitializeAsync()
    {
        _cluster = await SiloProcessCluster.CreateAsync(_load.Run, "silo-kill");
        _receiver = await TestReceiver.StartAsync();
        // Device events go to all six endpoints, address events to half of them.
        _webhooks = new TwoTypeWebhooks(_receiver, [0, 1, 2, 3, 4, 5], [0, 2, 4]);
    }

    public async Task DisposeAsync()
    {
        _load.Stop();
        // Every silo process this test started dies here, whatever happened above.
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            output.WriteLine($"silo logs kept in {_cluster.LogDirectory}");
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task SiloCluster_KillNineTwoSilosWhilePublishing_DeliversEveryAcceptedEventToEveryEndpoint()
    {
        await using var connections = ConnectionSampler.Start(_cluster.Database.ConnectionString);
        var silos = await _cluster.StartActiveAsync("a", "b", "c");
        var (a, b, c) = (silos[0], silos[1], silos[2]);

        await _webhooks.CreateAsync(_cluster);
        await _webhooks.ProbeEveryGatewayAsync(_cluster, silos);

        _load.HoldFrom(FirstKillGate, _firstKill.Task);
        _load.HoldFrom(RecoveredGate, _recovered.Task);
        _load.HoldFrom(SecondKillGate, _secondKill.Task);
        var publishing = _load.RunAsync(PublishTimeout, first =>
        {
            var request = new PublishBatchRequest();
            for (var i = first; i < first + BatchSize; i++)
            {
                request.Events.Add(TwoTypeWebhooks.Event(_load.EventId(i), i));
            }

            // Each retry goes to another live gateway than the one that failed.
            SiloProcess? previous = null;
            return () => _cluster.PublishAsync(previous = _cluster.NextGateway(previous), request);
        });
        var chaos = KillTwoSilosAsync(a, b, c);
        await Task.WhenAll(publishing, chaos);
        var replacement = await chaos;
        Mark($"publishing done: {_load.AcceptedCount} of {EventCount} events accepted, {_load.Retries} publish retries");

        // Count: every (endpoint, event) pair an accepted event must produce, probes included.
        List<(int Endpoint, string EventId)> expected =
        [
            .. _webhooks.ProbePairs(_cluster, ["a", "b", "c"]),
            .. _load.ExpectedPairs(_webhooks.EndpointsOf),
        ];
        var check = await DeliveryCheck.WaitAsync(_receiver, TwoTypeWebhooks.PathPrefix, expected, DeliveryTimeout);
        Mark(check.Missing.Count == 0 ? "every expected delivery arrived" : $"gave up waiting after {DeliveryTimeout.TotalMinutes:0} min");
        var membership = await _cluster.Membership.DescribeAsync();

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"accepted {_load.AcceptedCount} of {EventCount} events (+3 probes); {check}; publish retries {_load.Retries}; {connections}");
        output.WriteLine(summary);
        output.WriteLine("publish failures by kind: " + _load.Failures);
        output.WriteLine("accepted batches by gateway: " + _cluster.AcceptedBy);
        output.WriteLine("missing by endpoint: " + check.MissingByEndpoint(_webhooks.EndpointCount));
        if (check.Missing.Count > 0)
        {
            var indexes = check.Missing.Select(m => _load.EventIndex(m.EventId)).Where(i => i >= 0).ToList();
            if (indexes.Count > 0)
            {
                output.WriteLine($"missing event indexes span {indexes.Min()}..{indexes.Max()} (kills at about {FirstKillAt} and {SecondKillAt} accepted)");
            }
        }

        output.WriteLine("membership at the end (silo port: status): " + membership);
        output.WriteLine("PostgreSQL: " + connections);
        output.WriteLine("timeline:");
        foreach (var line in _cluster.Timeline.Lines)
        {
            output.WriteLine("  " + line);
        }

        output.WriteLine(Logs);

        Assert.True(replacement.Killed is false && !replacement.HasExited, $"the replacement silo exited; {Logs}");
        Assert.True(_load.AcceptedCount > 0, $"no publish was accepted; {Logs}");
        Assert.True(check.Missing.Count == 0, $"{check.MissingExamples}. {summary}. {Logs}");
        Assert.True(check.Duplicates <= check.Expected.Count * 0.05,
            $"{check.Duplicates} duplicate deliveries, more than 5 % of {check.Expected.Count}. {summary}. {Logs}");
    }

    /// <summary>One silo at a time is killed: the first after <see cref="FirstKillAt"/> accepted events; then a
    /// replacement starts and joins, and once the cluster has declared the first dead (so a majority of live silos
    /// is there to vote the second dead), the second goes after <see cref="SecondKillAt"/>. Returns the replacement.</summary>
    private async Task<SiloProcess> KillTwoSilosAsync(SiloProcess a, SiloProcess b, SiloProcess c)
    {
        try
        {
            await _load.WhenAcceptedAsync(FirstKillAt).WaitAsync(PublishTimeout);
            KillSilo(a);
            _firstKill.TrySetResult();

            var d = _cluster.Start("d");
            await d.WaitReadyAsync(SiloProcessCluster.StartTimeout);
            _cluster.AddLive(d);
            Mark($"replacement up: {d}");
            await _cluster.WaitForMembershipAsync([b, c, d], [a], $"silo {a.Name} is declared Dead and the replacement {d.Name} is Active");
            Mark($"membership: {a.Name} Dead, {b.Name} {c.Name} {d.Name} Active; publishing resumes");
            _recovered.TrySetResult();

            await _load.WhenAcceptedAsync(SecondKillAt).WaitAsync(PublishTimeout);
            KillSilo(b);
            _secondKill.TrySetResult();
            return d;
        }
        catch (Exception ex)
        {
            _firstKill.TrySetException(ex);
            _recovered.TrySetException(ex);
            _secondKill.TrySetException(ex);
            throw;
        }
    }

    private void KillSilo(SiloProcess silo)
    {
        _cluster.RemoveLive(silo);
        silo.Kill();
        Mark($"kill -9 {silo} at {_load.AcceptedCount} accepted events");
    }

    private void Mark(string what) => _cluster.Mark(what);
}
