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

    /// <summary>Most rounds --isolation-repeat allows: each round is a fresh silo per phase, so ten already take long.</summary>
    public const int MaxRounds = 10;

    /// <summary>"isolation-none", "isolation-backlog", …; rounds after the first get "-{round}" ("isolation-none-2"),
    /// so that round 1 keeps the names of runs without --isolation-repeat.</summary>
    public static string PhaseName(BadEndpoint bad, int round = 1) =>
        ScenarioName + "-" + Name(bad) + (round == 1 ? "" : "-" + round.ToString(CultureInfo.InvariantCulture));

    /// <summary>"none", "timeout", "backlog": as in --isolation-bad and the results.</summary>
    public static string Name(BadEndpoint bad) => bad.ToString().ToLowerInvariant();

    public static BadEndpoint ParseVariant(string name) => name.Trim().ToLowerInvariant() switch
    {
        "timeout" => BadEndpoint.Timeout,
        "backlog" => BadEndpoint.Backlog,
        _ => throw new ArgumentException($"--isolation-bad must be timeout or backlog (or both, comma-separated), not '{name}'"),
    };

    /// <summary>The phase names the isolation scenario runs as, each on a fresh silo: the reference without a bad
    /// endpoint and one phase per variant, <paramref name="rounds"/> times in alternating (ABBA) order: odd rounds
    /// none, v1, v2, …; even rounds the reverse. Machine noise drifts over a run, and a fixed order would always
    /// give the same phase the quieter (or the busier) slot; alternating spreads that over all of them.</summary>
    public static IEnumerable<string> Phases(IEnumerable<BadEndpoint> variants, int rounds = 1)
    {
        BadEndpoint[] order = [BadEndpoint.None, .. variants.Distinct()];
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var bad in round % 2 == 1 ? order : Enumerable.Reverse(order))
            {
                yield return PhaseName(bad, round);
            }
        }
    }

    public static bool TryParsePhase(string name, out BadEndpoint bad) => TryParsePhase(name, out bad, out _);

    /// <summary>Recognises every name <see cref="Phases"/> gives: the variant and the (1-based) round.</summary>
    public static bool TryParsePhase(string name, out BadEndpoint bad, out int round)
    {
        foreach (var candidate in Enum.GetValues<BadEndpoint>())
        {
            var first = PhaseName(candidate);
            if (name == first)
            {
                (bad, round) = (candidate, 1);
                return true;
            }

            // Compared with the name built back, so that only the exact spelling counts ("-02" or "-1" do not).
            if (name.StartsWith(first + "-", StringComparison.Ordinal)
                && int.TryParse(name.AsSpan(first.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n is > 1 and <= MaxRounds
                && name == PhaseName(candidate, n))
            {
                (bad, round) = (candidate, n);
                return true;
            }
        }

        (bad, round) = (BadEndpoint.None, 0);
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
