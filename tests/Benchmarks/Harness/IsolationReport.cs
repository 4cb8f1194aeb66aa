using System.Globalization;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The isolation scenario's verdict: each phase with a bad endpoint against the phase without one
/// (isolation-none). Requirement: the healthy endpoints keep at least 90 % of their deliveries/s.</summary>
public static class IsolationReport
{
    public const string TargetName = "isolation-healthy-throughput";
    public const double MinRatio = 0.9;

    /// <summary>Fills in <see cref="ScenarioResult.Isolation"/> of an isolation phase (nothing for other scenarios)
    /// from its pipeline and the reference phase run before it, and prints the comparison.</summary>
    public static void Compare(ScenarioResult result, IEnumerable<ScenarioResult> results)
    {
        if (!Isolation.TryParsePhase(result.Name, out var bad))
        {
            return;
        }

        var healthy = result.Pipeline?.DeliveriesPerSecond;
        var none = bad == BadEndpoint.None
            ? (result.Pipeline is { Completed: true } ? healthy : null)
            : results.FirstOrDefault(s => s.Name == Isolation.PhaseName(BadEndpoint.None))?.Isolation?.NoneDeliveriesPerSecond;
        result.Isolation = new IsolationResult
        {
            Bad = Isolation.Name(bad),
            HealthyDeliveriesPerSecond = healthy,
            NoneDeliveriesPerSecond = none,
            RatioToNone = healthy is { } h && none is > 0 ? Math.Round(h / none.Value, 3) : null,
        };
        if (bad != BadEndpoint.None)
        {
            Console.WriteLine("   isolation: " + Describe(result));
        }
    }

    /// <summary>The target, or null when no isolation phase ran.</summary>
    public static TargetResult? Target(BenchResults results)
    {
        var none = results.Scenarios.FirstOrDefault(s => s.Name == Isolation.PhaseName(BadEndpoint.None));
        var phases = results.Scenarios.Where(s => s.Isolation is { Bad: not "none" }).ToList();
        if (none is null && phases.Count == 0)
        {
            return null;
        }

        var requirement = string.Create(CultureInfo.InvariantCulture, $"healthy endpoints' deliveries/s with a bad endpoint >= {MinRatio * 100:0} % of without");
        if (phases.Count == 0 || none?.Isolation?.NoneDeliveriesPerSecond is null)
        {
            return new TargetResult(TargetName, requirement, null, null,
                phases.Count == 0 ? "no phase with a bad endpoint completed" : "isolation-none did not complete: nothing to compare with");
        }

        // A phase whose healthy deliveries did not all arrive fails whatever its rate so far.
        var met = phases.All(p => p.Pipeline is { Completed: true, Lost: 0 } && p.Isolation!.RatioToNone >= MinRatio);
        return new TargetResult(TargetName, requirement, phases.Min(p => p.Isolation!.RatioToNone), met,
            string.Join("; ", phases.Select(Describe)));
    }

    /// <summary>One row per isolation phase: healthy throughput, its ratio, and the bad endpoint's state.</summary>
    public static List<string[]> Rows(BenchResults results)
    {
        var rows = new List<string[]>();
        foreach (var s in results.Scenarios.Where(s => s.Isolation is not null))
        {
            var i = s.Isolation!;
            var bad = s.Pipeline?.BadEndpoint;
            var state = bad?.State;
            rows.Add(
            [
                s.Name,
                N(i.HealthyDeliveriesPerSecond, "N0") + (s.Pipeline is { Completed: false } ? "!" : ""),
                i.RatioToNone is { } r && i.Bad != "none" ? r.ToString("P1", CultureInfo.InvariantCulture) : "-",
                bad is null ? "-" : bad.Arrivals.ToString("N0", CultureInfo.InvariantCulture),
                N(state?.Queued, "N0"),
                state is null ? "-" : state.BacklogInStore ? "yes" : "no",
                N(state?.WaitingEnqueuers, "N0"),
                N(state?.Failed, "N0"),
                N(state?.Attempts, "N0"),
                state?.CircuitState ?? "-",
                state is null ? (bad?.StateError ?? "-") : Shorten(state.LastError),
            ]);
        }

        if (rows.Count > 0)
        {
            rows.Insert(0, ["isolation phase", "healthy deliv/s", "vs none", "bad reached", "bad queued", "in store", "waiting", "bad failed", "bad attempts", "circuit", "bad last error"]);
        }

        return rows;
    }

    private static string Describe(ScenarioResult phase)
    {
        var i = phase.Isolation!;
        var text = i.RatioToNone is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: healthy endpoints {i.HealthyDeliveriesPerSecond:N0} deliveries/s = {ratio:P1} of isolation-none ({i.NoneDeliveriesPerSecond:N0})")
            : string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: healthy endpoints {N(i.HealthyDeliveriesPerSecond, "N0")} deliveries/s, no isolation-none figure to compare with");
        return phase.Pipeline is { Completed: false } p
            ? text + string.Create(CultureInfo.InvariantCulture, $", did not complete ({p.Lost:N0} healthy deliveries missing)")
            : text;
    }

    private static string N(double? value, string format) =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
