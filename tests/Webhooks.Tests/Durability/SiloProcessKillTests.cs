using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Xunit.Abstractions;
using Endpoint = Webhooks.Api.V1.Endpoint;

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
    private const int EndpointCount = 6;
    private const string PathPrefix = "/ep/";
    private const string DeviceType = "dcim.device";
    private const string AddressType = "ipam.ipaddress";

    // Each kill comes when this many events are accepted, and batches from its gate on wait until it has happened,
    // so both kills land while publishes are in flight however fast publishing runs. Between the kills, batches
    // from RecoveredGate on wait until the replacement is Active and the first victim Dead.
    private const int FirstKillAt = 2_500;
    private const int FirstKillGate = 4_000;
    private const int RecoveredGate = 6_000;
    private const int SecondKillAt = 6_500;
    private const int SecondKillGate = 8_500;

    private static readonly int[] DeviceEndpoints = [0, 1, 2, 3, 4, 5];
    private static readonly int[] AddressEndpoints = [0, 2, 4];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan MembershipTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(3);

    private readonly AcceptedEventsLoad _load = new($"k{Guid.NewGuid():N}"[..9], EventCount, BatchSize, Publishers);
    private readonly Timeline _timeline = new();
    private readonly List<SiloProcess> _silos = [];
    private readonly List<SiloProcess> _live = [];
    private readonly CountByKey _acceptedBy = new();
    private readonly TaskCompletionSource _firstKill = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _recovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _secondKill = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextGateway;
    private string _logDirectory = "";
    private PostgresServer.Database? _database;
    private TestReceiver? _receiver;
    private MembershipTable _membership = null!;

    private string Logs => $"silo logs: {string.Join(", ", Silos().Select(s => s.LogPath))}";

    public async Task InitializeAsync()
    {
        _logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-silo-kill-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{_load.Run}");
        Directory.CreateDirectory(_logDirectory);
        _database = await PostgresServer.CreateDatabaseAsync();
        _membership = new MembershipTable(_database.ConnectionString, _load.Run);
        _receiver = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _load.Stop();
        // Every silo process this test started dies here, whatever happened above.
        foreach (var silo in Silos())
        {
            await silo.DisposeAsync();
        }

        output.WriteLine($"silo logs kept in {_logDirectory}");
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task SiloCluster_KillNineTwoSilosWhilePublishing_DeliversEveryAcceptedEventToEveryEndpoint()
    {
        await using var connections = ConnectionSampler.Start(_database!.ConnectionString);
        var (a, b, c) = (StartSilo("a"), StartSilo("b"), StartSilo("c"));
        await Task.WhenAll(a.WaitReadyAsync(StartTimeout), b.WaitReadyAsync(StartTimeout), c.WaitReadyAsync(StartTimeout));
        await WaitForMembershipAsync([a, b, c], [], "the three silos are Active");
        lock (_live)
        {
            _live.AddRange([a, b, c]);
        }

        Mark($"cluster of 3 up: {a}; {b}; {c}");

        await CreateEndpointsAndWebhooksAsync();
        Mark($"{EndpointCount} endpoints and 2 webhooks created");
        await ProbeEveryGatewayAsync([a, b, c]);
        Mark("endpoints, webhooks and a probe event through every gateway delivered");

        _load.HoldFrom(FirstKillGate, _firstKill.Task);
        _load.HoldFrom(RecoveredGate, _recovered.Task);
        _load.HoldFrom(SecondKillGate, _secondKill.Task);
        var publishing = _load.RunAsync(PublishTimeout, first =>
        {
            var request = new PublishBatchRequest();
            for (var i = first; i < first + BatchSize; i++)
            {
                request.Events.Add(Event(i));
            }

            // Each retry goes to another live gateway than the one that failed.
            SiloProcess? previous = null;
            return () => PublishAsync(previous = NextGateway(previous), request);
        });
        var chaos = KillTwoSilosAsync(a, b, c);
        await Task.WhenAll(publishing, chaos);
        var replacement = await chaos;
        Mark($"publishing done: {_load.AcceptedCount} of {EventCount} events accepted, {_load.Retries} publish retries");

        // Count: every (endpoint, event) pair an accepted event must produce, probes included.
        List<(int Endpoint, string EventId)> expected =
        [
            .. new[] { "a", "b", "c" }.SelectMany(name => DeviceEndpoints.Select(k => (k, ProbeId(name)))),
            .. _load.ExpectedPairs(i => IsDevice(i) ? DeviceEndpoints : AddressEndpoints),
        ];
        var check = await DeliveryCheck.WaitAsync(_receiver!, PathPrefix, expected, DeliveryTimeout);
        Mark(check.Missing.Count == 0 ? "every expected delivery arrived" : $"gave up waiting after {DeliveryTimeout.TotalMinutes:0} min");
        var membership = await _membership.DescribeAsync();

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"accepted {_load.AcceptedCount} of {EventCount} events (+3 probes); {check}; publish retries {_load.Retries}; {connections}");
        output.WriteLine(summary);
        output.WriteLine("publish failures by kind: " + _load.Failures);
        output.WriteLine("accepted batches by gateway: " + _acceptedBy);
        output.WriteLine("missing by endpoint: " + check.MissingByEndpoint(EndpointCount));
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
        foreach (var line in _timeline.Lines)
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

            var d = StartSilo("d");
            await d.WaitReadyAsync(StartTimeout);
            lock (_live)
            {
                _live.Add(d);
            }

            Mark($"replacement up: {d}");
            await WaitForMembershipAsync([b, c, d], [a], $"silo {a.Name} is declared Dead and the replacement {d.Name} is Active");
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
        lock (_live)
        {
            _live.Remove(silo);
        }

        silo.Kill();
        Mark($"kill -9 {silo} at {_load.AcceptedCount} accepted events");
    }

    /// <summary>One attempt at a batch through <paramref name="silo"/>'s gateway: null when it answered OK, else the
    /// failure and the gateway. A failed assertion is not a publish failure: it ends the test.</summary>
    private async Task<string?> PublishAsync(SiloProcess silo, PublishBatchRequest request)
    {
        string failure;
        try
        {
            var response = await silo.Events.PublishBatchAsync(request, deadline: DateTime.UtcNow + CallDeadline);
            Assert.Equal(request.Events.Count, response.EventIds.Count);
            _acceptedBy.Add(silo.Name);
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

    private SiloProcess NextGateway(SiloProcess? avoid)
    {
        lock (_live)
        {
            Assert.NotEmpty(_live);
            var candidates = _live.Count > 1 && avoid is not null ? _live.Where(s => s != avoid).ToList() : _live;
            return candidates[(int)((uint)_nextGateway++ % (uint)candidates.Count)];
        }
    }

    private async Task CreateEndpointsAndWebhooksAsync()
    {
        for (var k = 0; k < EndpointCount; k++)
        {
            await NextGateway(null).Endpoints.CreateEndpointAsync(new CreateEndpointRequest
            {
                EndpointId = $"ep-{k}",
                Endpoint = new Endpoint
                {
                    Name = $"receiver {k}",
                    Url = $"{_receiver!.Url}{PathPrefix}{k}",
                    MaxInFlight = 4,
                    Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
                },
            }, deadline: DateTime.UtcNow + CallDeadline);
        }

        foreach (var (id, type, endpoints) in new[] { ("wh-devices", DeviceType, DeviceEndpoints), ("wh-addresses", AddressType, AddressEndpoints) })
        {
            await NextGateway(null).Webhooks.CreateWebhookAsync(new CreateWebhookRequest
            {
                WebhookId = id,
                Webhook = new Webhook
                {
                    Name = id,
                    ObjectTypes = { type },
                    Events = { "created" },
                    BodyTemplate = "{{ event_id }}",
                    EndpointIds = { endpoints.Select(k => $"ep-{k}") },
                },
            }, deadline: DateTime.UtcNow + CallDeadline);
        }
    }

    /// <summary>Before any kill: one device event through each gateway reaches every endpoint.</summary>
    private async Task ProbeEveryGatewayAsync(IEnumerable<SiloProcess> silos)
    {
        var probes = new List<string>();
        foreach (var silo in silos)
        {
            var probe = ProbeId(silo.Name);
            probes.Add(probe);
            await silo.Events.PublishAsync(new PublishRequest
            {
                Event = new ObjectEvent { EventId = probe, ObjectType = DeviceType, Event = "created", ObjectId = probe },
            }, deadline: DateTime.UtcNow + CallDeadline);
        }

        var tally = new DeliveryTally(_receiver!, PathPrefix);
        var expected = probes.SelectMany(p => DeviceEndpoints.Select(k => (k, p))).ToList();
        await Poll.UntilAsync(() =>
        {
            tally.Update();
            return tally.Missing(expected).Count == 0;
        }, $"the probe events reached all {EndpointCount} endpoints ({Logs})", TimeSpan.FromSeconds(60));
    }

    private ObjectEvent Event(int i) => new()
    {
        EventId = _load.EventId(i),
        ObjectType = IsDevice(i) ? DeviceType : AddressType,
        Event = "created",
        ObjectId = i.ToString(CultureInfo.InvariantCulture),
        Data = new Struct { Fields = { ["n"] = Value.ForNumber(i) } },
    };

    private static bool IsDevice(int i) => i % 2 == 0;

    private string ProbeId(string silo) => $"{_load.Run}-probe-{silo}";

    private SiloProcess StartSilo(string name)
    {
        var silo = SiloProcess.Start(name, _load.Run, _database!.ConnectionString, _logDirectory);
        lock (_silos)
        {
            _silos.Add(silo);
        }

        Mark($"started {silo}, log {silo.LogPath}");
        return silo;
    }

    private List<SiloProcess> Silos()
    {
        lock (_silos)
        {
            return [.. _silos];
        }
    }

    private async Task WaitForMembershipAsync(SiloProcess[] active, SiloProcess[] dead, string what)
    {
        try
        {
            await Poll.UntilAsync(() => _membership.IsAsync(active, dead), what, MembershipTimeout);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}; membership (silo port: status): {await _membership.DescribeAsync()}; {Logs}");
        }
    }

    private void Mark(string what) => _timeline.Mark(what);
}
