using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Api.V1;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The routing of the multi-process durability tests, created through a cluster's gRPC API: endpoints ep-0 …
/// ep-(n-1) on one <see cref="TestReceiver"/> at {<see cref="PathPrefix"/>}{k}; webhook wh-devices sends device events
/// (even load indexes) to <see cref="DeviceEndpoints"/>, wh-addresses address events (odd indexes) to
/// <see cref="AddressEndpoints"/>. Each delivery's body is the event id, as <see cref="DeliveryTally"/> reads it.</summary>
public sealed class TwoTypeWebhooks(TestReceiver receiver, int[] deviceEndpoints, int[] addressEndpoints)
{
    public const string PathPrefix = "/ep/";
    public const string DeviceType = "dcim.device";
    public const string AddressType = "ipam.ipaddress";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(60);

    public IReadOnlyList<int> DeviceEndpoints => deviceEndpoints;

    public IReadOnlyList<int> AddressEndpoints => addressEndpoints;

    public int EndpointCount { get; } = deviceEndpoints.Union(addressEndpoints).Max() + 1;

    /// <summary>"ep-{k}" for each endpoint index.</summary>
    public IEnumerable<string> EndpointIds => Enumerable.Range(0, EndpointCount).Select(EndpointId);

    public static string EndpointId(int k) => string.Create(CultureInfo.InvariantCulture, $"ep-{k}");

    public static bool IsDevice(int index) => index % 2 == 0;

    /// <summary>The endpoints the event at load index <paramref name="index"/> must reach.</summary>
    public IEnumerable<int> EndpointsOf(int index) => IsDevice(index) ? deviceEndpoints : addressEndpoints;

    /// <summary>The event at load index <paramref name="index"/>, with the given id.</summary>
    public static ObjectEvent Event(string eventId, int index) => new()
    {
        EventId = eventId,
        ObjectType = IsDevice(index) ? DeviceType : AddressType,
        Event = "created",
        ObjectId = index.ToString(CultureInfo.InvariantCulture),
        Data = new Struct { Fields = { ["n"] = Value.ForNumber(index) } },
    };

    /// <summary>The endpoints and both webhooks, each call through the cluster's next live silo.</summary>
    public async Task CreateAsync(SiloProcessCluster cluster)
    {
        for (var k = 0; k < EndpointCount; k++)
        {
            await cluster.NextGateway().Endpoints.CreateEndpointAsync(new CreateEndpointRequest
            {
                EndpointId = EndpointId(k),
                Endpoint = new Endpoint
                {
                    Name = $"receiver {k}",
                    Url = $"{receiver.Url}{PathPrefix}{k}",
                    MaxInFlight = 4,
                    Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
                },
            }, deadline: DateTime.UtcNow + SiloProcessCluster.CallDeadline);
        }

        foreach (var (id, type, endpoints) in new[] { ("wh-devices", DeviceType, deviceEndpoints), ("wh-addresses", AddressType, addressEndpoints) })
        {
            await cluster.NextGateway().Webhooks.CreateWebhookAsync(new CreateWebhookRequest
            {
                WebhookId = id,
                Webhook = new Webhook
                {
                    Name = id,
                    ObjectTypes = { type },
                    Events = { "created" },
                    BodyTemplate = "{{ event_id }}",
                    EndpointIds = { endpoints.Select(EndpointId) },
                },
            }, deadline: DateTime.UtcNow + SiloProcessCluster.CallDeadline);
        }

        cluster.Mark($"{EndpointCount} endpoints and 2 webhooks created");
    }

    /// <summary>Endpoints no webhook routes to, ep-{EndpointCount} on, created (and so activated) through the cluster's
    /// live silos: more grains for placement to spread than the six that take the load.</summary>
    public async Task CreateIdleEndpointsAsync(SiloProcessCluster cluster, int count)
    {
        for (var k = EndpointCount; k < EndpointCount + count; k++)
        {
            await cluster.NextGateway().Endpoints.CreateEndpointAsync(new CreateEndpointRequest
            {
                EndpointId = EndpointId(k),
                Endpoint = new Endpoint { Name = $"idle {k}", Url = $"{receiver.Url}{PathPrefix}{k}" },
            }, deadline: DateTime.UtcNow + SiloProcessCluster.CallDeadline);
        }

        cluster.Mark($"{count} idle endpoints created");
    }

    /// <summary>The id of the probe event sent through <paramref name="silo"/>.</summary>
    public static string ProbeId(SiloProcessCluster cluster, string silo) => $"{cluster.ClusterId}-probe-{silo}";

    /// <summary>The (endpoint, event id) pairs the probes through <paramref name="silos"/> produce.</summary>
    public IEnumerable<(int Endpoint, string EventId)> ProbePairs(SiloProcessCluster cluster, IEnumerable<string> silos) =>
        silos.SelectMany(name => deviceEndpoints.Select(k => (k, ProbeId(cluster, name))));

    /// <summary>One device event through each silo's gateway; waits until each has reached every device endpoint.</summary>
    public async Task ProbeEveryGatewayAsync(SiloProcessCluster cluster, IReadOnlyCollection<SiloProcess> silos)
    {
        foreach (var silo in silos)
        {
            var probe = ProbeId(cluster, silo.Name);
            await silo.Events.PublishAsync(new PublishRequest
            {
                Event = new ObjectEvent { EventId = probe, ObjectType = DeviceType, Event = "created", ObjectId = probe },
            }, deadline: DateTime.UtcNow + SiloProcessCluster.CallDeadline);
        }

        var tally = new DeliveryTally(receiver, PathPrefix);
        var expected = ProbePairs(cluster, silos.Select(s => s.Name)).ToList();
        await Poll.UntilAsync(() =>
        {
            tally.Update();
            return tally.Missing(expected).Count == 0;
        }, $"the probe events reached all {deviceEndpoints.Length} device endpoints ({cluster.Logs})", ProbeTimeout);
        cluster.Mark("endpoints, webhooks and a probe event through every gateway delivered");
    }
}
