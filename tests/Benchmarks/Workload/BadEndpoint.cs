using System.Globalization;

namespace Webhooks.Benchmarks.Workload;

/// <summary>What is wrong with the isolation scenario's extra endpoint: one more webhook sends every event to it,
/// and the healthy endpoints' throughput must not suffer.</summary>
public enum BadEndpoint
{
    /// <summary>No bad endpoint: the reference run (the fan-out shape on its own).</summary>
    None,
    /// <summary>Every request is held by the receiver far beyond the endpoint's timeout, so every attempt times out.</summary>
    Timeout,
    /// <summary>Nothing listens at the endpoint's port: every attempt fails at once (connection refused), so the
    /// endpoint accumulates a backlog of one delivery per event.</summary>
    Backlog,
}

/// <summary>The isolation scenario's phases and the bad endpoint's settings, shared by the options, the runner and
/// the receiver.</summary>
public static class Isolation
{
    public const string ScenarioName = "isolation";

    /// <summary>Ids of the extra endpoint and webhook (the healthy ones are ep{k} / wh{w}).</summary>
    public const string EndpointId = "ep-bad";
    public const string WebhookId = "wh-bad";

    /// <summary>The bad webhook's X-Bench-W value: not a number, so such a request could never pass for a healthy
    /// webhook's delivery.</summary>
    public const string WebhookHeaderValue = "bad";

    public const string Secret = "bench-secret-bad";

    /// <summary>The timeout variant's endpoint timeout: short, so the silo gives up on each attempt quickly and the
    /// test is about many timed-out attempts, not a few long ones.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the receiver holds a request on the slow path: far beyond <see cref="Timeout"/>, so no
    /// attempt ever gets an answer (the silo hangs up first, which ends the hold).</summary>
    public static readonly TimeSpan SlowHold = TimeSpan.FromSeconds(30);

    /// <summary>Both variants, in the order they run after the reference phase.</summary>
    public static readonly BadEndpoint[] Variants = [BadEndpoint.Timeout, BadEndpoint.Backlog];

    public static string PhaseName(BadEndpoint bad) => ScenarioName + "-" + Name(bad);

    /// <summary>"none", "timeout", "backlog": as in --isolation-bad and the results.</summary>
    public static string Name(BadEndpoint bad) => bad.ToString().ToLowerInvariant();

    public static BadEndpoint ParseVariant(string name) => name.Trim().ToLowerInvariant() switch
    {
        "timeout" => BadEndpoint.Timeout,
        "backlog" => BadEndpoint.Backlog,
        _ => throw new ArgumentException($"--isolation-bad must be timeout or backlog (or both, comma-separated), not '{name}'"),
    };

    /// <summary>The phase names the isolation scenario runs as: the reference without a bad endpoint first, then one
    /// phase per variant, each on a fresh silo.</summary>
    public static IEnumerable<string> Phases(IEnumerable<BadEndpoint> variants) =>
        [PhaseName(BadEndpoint.None), .. variants.Distinct().Select(PhaseName)];

    public static bool TryParsePhase(string name, out BadEndpoint bad)
    {
        foreach (var candidate in Enum.GetValues<BadEndpoint>())
        {
            if (name == PhaseName(candidate))
            {
                bad = candidate;
                return true;
            }
        }

        bad = BadEndpoint.None;
        return false;
    }

    public static string Describe(BadEndpoint bad) => bad switch
    {
        BadEndpoint.Timeout => string.Create(CultureInfo.InvariantCulture,
            $"plus a bad endpoint that never answers within its {Timeout.TotalSeconds:0} s timeout (held {SlowHold.TotalSeconds:0} s)"),
        BadEndpoint.Backlog => "plus a bad endpoint that is down (connection refused) and builds a backlog of one delivery per event",
        _ => "no bad endpoint (reference)",
    };
}
