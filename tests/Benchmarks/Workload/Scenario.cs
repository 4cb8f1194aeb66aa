using System.Globalization;

namespace Webhooks.Benchmarks.Workload;

public enum ScenarioKind
{
    /// <summary>Every event matches every webhook; webhook w sends to endpoint w mod E.</summary>
    FanOut,
    /// <summary>E endpoints with max_in_flight = 1, one webhook each, each on its own object type; event i has
    /// type bench.t{i mod E}, so every event makes exactly one delivery.</summary>
    ManyEndpoints,
    /// <summary>One endpoint with a high max_in_flight; every webhook sends to it.</summary>
    SingleEndpoint,
    /// <summary>Like fan-out, but each webhook's condition rejects 90 % of events (data.n % 10 !== 0).</summary>
    Conditions,
    /// <summary>The fan-out shape published at a fixed events/s, for latency.</summary>
    Steady,
    /// <summary>The fan-out shape, plus (unless <see cref="Scenario.Bad"/> is <see cref="BadEndpoint.None"/>) one
    /// bad endpoint and one more webhook that sends every event to it; measures whether the healthy endpoints slow
    /// down.</summary>
    Isolation,
}

/// <summary>One scenario's shape. Which (event, webhook) pairs make a delivery is fixed by the shape, so the
/// harness knows exactly what the receiver must see.</summary>
public sealed record Scenario
{
    public const string DefaultObjectType = "dcim.device";
    public const string ConditionText = "data.n % 10 === 0";

    public required string Name { get; init; }
    public required ScenarioKind Kind { get; init; }
    public required int Events { get; init; }
    /// <summary>Webhooks whose deliveries are expected and counted; the isolation scenario's bad webhook is extra.</summary>
    public required int Webhooks { get; init; }
    /// <summary>Endpoints receiving the counted deliveries; the isolation scenario's bad endpoint is extra.</summary>
    public required int Endpoints { get; init; }
    public required int MaxInFlight { get; init; }
    /// <summary>Events per second for <see cref="ScenarioKind.Steady"/>; 0 means closed loop (as fast as accepted).</summary>
    public double Rate { get; init; }
    /// <summary>Isolation scenario: the extra endpoint (and webhook) the run adds. Its deliveries are outside the
    /// expected pairs: they never reach the receiver's delivery log.</summary>
    public BadEndpoint Bad { get; init; }

    /// <summary>What --scenario accepts. "isolation" runs as several phases (<see cref="Isolation.Phases"/>), each
    /// built by <see cref="Create"/> under its phase name.</summary>
    public static readonly string[] Names = ["fanout", "many-endpoints", "single-endpoint", "conditions", "steady", Isolation.ScenarioName];

    public bool IsSteady => Kind == ScenarioKind.Steady;

    /// <summary>Requests in flight at most: what the baseline is allowed too.</summary>
    public int Concurrency => Endpoints * MaxInFlight;

    public string ObjectTypeOf(int eventIndex) => Kind == ScenarioKind.ManyEndpoints
        ? "bench.t" + (eventIndex % Endpoints).ToString(CultureInfo.InvariantCulture)
        : DefaultObjectType;

    public string WebhookObjectType(int webhook) => Kind == ScenarioKind.ManyEndpoints
        ? "bench.t" + webhook.ToString(CultureInfo.InvariantCulture)
        : DefaultObjectType;

    public string? WebhookCondition => Kind == ScenarioKind.Conditions ? ConditionText : null;

    public int EndpointOf(int webhook) => webhook % Endpoints;

    public bool Matches(int eventIndex, int webhook) => Kind switch
    {
        ScenarioKind.ManyEndpoints => eventIndex % Endpoints == webhook,
        ScenarioKind.Conditions => eventIndex % 10 == 0,
        _ => true,
    };

    public long ExpectedDeliveries(int events) => ExpectedDeliveries(0, events);

    public long ExpectedDeliveries(int first, int count)
    {
        long total = 0;
        for (var i = first; i < first + count; i++)
        {
            for (var w = 0; w < Webhooks; w++)
            {
                if (Matches(i, w))
                {
                    total++;
                }
            }
        }

        return total;
    }

    /// <summary>Every expected delivery of events [0, events) as (event, webhook), in publish order.</summary>
    public (int Event, int Webhook)[] ExpectedPairs(int events)
    {
        var pairs = new (int, int)[ExpectedDeliveries(events)];
        var n = 0;
        for (var i = 0; i < events; i++)
        {
            for (var w = 0; w < Webhooks; w++)
            {
                if (Matches(i, w))
                {
                    pairs[n++] = (i, w);
                }
            }
        }

        return pairs;
    }

    public static Scenario Create(string name, int events, int? webhooks, int? endpoints, int? maxInFlight, double rate)
    {
        switch (name)
        {
            case "fanout":
                return new Scenario { Name = name, Kind = ScenarioKind.FanOut, Events = events, Webhooks = webhooks ?? 10, Endpoints = endpoints ?? 10, MaxInFlight = maxInFlight ?? 4 };
            case "many-endpoints":
                {
                    var count = endpoints ?? webhooks ?? 100;
                    return new Scenario { Name = name, Kind = ScenarioKind.ManyEndpoints, Events = events, Webhooks = count, Endpoints = count, MaxInFlight = 1 };
                }

            case "single-endpoint":
                return new Scenario { Name = name, Kind = ScenarioKind.SingleEndpoint, Events = events, Webhooks = webhooks ?? 1, Endpoints = 1, MaxInFlight = maxInFlight ?? 32 };
            case "conditions":
                return new Scenario { Name = name, Kind = ScenarioKind.Conditions, Events = events, Webhooks = webhooks ?? 10, Endpoints = endpoints ?? 10, MaxInFlight = maxInFlight ?? 4 };
            case "steady":
                return new Scenario { Name = name, Kind = ScenarioKind.Steady, Events = events, Webhooks = webhooks ?? 10, Endpoints = endpoints ?? 10, MaxInFlight = maxInFlight ?? 4, Rate = rate };
            case var phase when Isolation.TryParsePhase(phase, out var bad):
                return new Scenario { Name = name, Kind = ScenarioKind.Isolation, Events = events, Webhooks = webhooks ?? 10, Endpoints = endpoints ?? 10, MaxInFlight = maxInFlight ?? 4, Bad = bad };
            default:
                throw new ArgumentException($"unknown scenario '{name}' (known: {string.Join(", ", Names)}, all)");
        }
    }
}
