using System.Globalization;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The isolation scenario's verdict: each bad-endpoint variant against the phases without a bad endpoint
/// (isolation-none, and isolation-none-2… with --isolation-repeat), mean against mean. Requirement: the healthy
/// endpoints keep at least 90 % of their deliveries/s.</summary>
public static class IsolationReport
{
    public const string TargetName = "isolation-healthy-throughput";
    public const double MinRatio = 0.9;

    /// <summary>Fills in <see cref="ScenarioResult.Isolation"/> of an isolation phase (nothing for other scenarios)
    /// from its pipeline and the none phases run before it, and prints the comparison. Provisional: once every phase
    /// has run, <see cref="Summarize"/> compares them all with the mean of all none phases.</summary>
    public static void Compare(ScenarioResult result, IEnumerable<ScenarioResult> results)
    {
        if (!Isolation.TryParsePhase(result.Name, out var bad, out var round))
        {
            return;
        }

        var healthy = result.Pipeline?.DeliveriesPerSecond;
        var nones = CompletedHealthy([.. results, result], BadEndpoint.None);
        var none = nones.Count > 0 ? nones.Average() : (double?)null;
        result.Isolation = new IsolationResult
        {
            Bad = Isolation.Name(bad),
            Round = round,
            HealthyDeliveriesPerSecond = healthy,
            NoneDeliveriesPerSecond = Round1(none),
            RatioToNone = Ratio(healthy, none),
        };
        if (bad != BadEndpoint.None)
        {
            Console.WriteLine("   isolation: " + Describe(result, nones.Count));
        }
    }

    /// <summary>After the last phase: every phase's ratio against the mean of all completed none phases (those run
    /// after it included), and the per-variant summary the target judges. Nothing when isolation was not asked
    /// for.</summary>
    public static void Summarize(BenchResults results, HarnessOptions options)
    {
        if (!options.Scenarios.Any(n => Isolation.TryParsePhase(n, out _)))
        {
            return;
        }

        var nones = CompletedHealthy(results.Scenarios, BadEndpoint.None);
        var none = nones.Count > 0 ? nones.Average() : (double?)null;
        foreach (var s in results.Scenarios.Where(s => s.Isolation is not null))
        {
            s.Isolation = s.Isolation! with
            {
                NoneDeliveriesPerSecond = Round1(none),
                RatioToNone = Ratio(s.Isolation.HealthyDeliveriesPerSecond, none),
            };
        }

        results.Isolation = new IsolationSummary
        {
            Rounds = options.IsolationRepeat,
            None = Group(results.Scenarios, BadEndpoint.None, none),
            Variants = [.. options.IsolationVariants.Distinct().Select(v => Group(results.Scenarios, v, none))],
        };
    }

    /// <summary>The target, or null when isolation did not run (<see cref="Summarize"/> left no summary).</summary>
    public static TargetResult? Target(BenchResults results)
    {
        if (results.Isolation is not { } summary)
        {
            return null;
        }

        var requirement = string.Create(CultureInfo.InvariantCulture, $"healthy endpoints' deliveries/s with a bad endpoint >= {MinRatio * 100:0} % of without")
            + (summary.Rounds > 1 ? string.Create(CultureInfo.InvariantCulture, $" (means over {summary.Rounds} alternating rounds)") : "");
        if (summary.None.MeanHealthyDeliveriesPerSecond is null)
        {
            return new TargetResult(TargetName, requirement, null, null, "isolation-none did not complete: nothing to compare with");
        }

        if (summary.Variants.All(v => v.CompletedPhases == 0))
        {
            return new TargetResult(TargetName, requirement, null, null, "no phase with a bad endpoint completed");
        }

        // A variant is judged on all its rounds, and a phase whose healthy deliveries did not all arrive (or that did
        // not run) fails it whatever the rate of the others; so does a missing reference phase, whose absence would
        // leave the rounds unbalanced.
        var met = summary.None.CompletedPhases == summary.Rounds
            && summary.Variants.All(v => v.CompletedPhases == summary.Rounds && v.RatioToNone >= MinRatio);
        return new TargetResult(TargetName, requirement, summary.Variants.Min(v => v.RatioToNone), met,
            string.Join("; ", summary.Variants.Select(v => Describe(v, summary))));
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
                // With several none phases, each one's ratio to their mean shows the run's noise.
                i.RatioToNone is { } r && (i.Bad != "none" || results.Isolation?.Rounds > 1) ? r.ToString("P1", CultureInfo.InvariantCulture) : "-",
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

    /// <summary>One row per variant (and the reference): what the target compares, and the spread behind it.</summary>
    public static List<string[]> SummaryRows(BenchResults results)
    {
        if (results.Isolation is not { } summary)
        {
            return [];
        }

        List<string[]> rows = [["isolation variant", "phases", "mean deliv/s", "min deliv/s", "max deliv/s", "mean vs none"]];
        foreach (var g in summary.Variants.Prepend(summary.None))
        {
            rows.Add(
            [
                g.Bad,
                string.Create(CultureInfo.InvariantCulture, $"{g.CompletedPhases}/{summary.Rounds}"),
                N(g.MeanHealthyDeliveriesPerSecond, "N0"),
                N(g.MinHealthyDeliveriesPerSecond, "N0"),
                N(g.MaxHealthyDeliveriesPerSecond, "N0"),
                g.Bad == "none" ? "-" : N(g.RatioToNone, "P1"),
            ]);
        }

        return rows;
    }

    /// <summary>Healthy deliveries/s of the phases of <paramref name="bad"/> that completed with nothing lost: a
    /// phase cut short has no rate to compare.</summary>
    private static List<double> CompletedHealthy(IEnumerable<ScenarioResult> results, BadEndpoint bad) =>
        [.. results.Where(s => Isolation.TryParsePhase(s.Name, out var b) && b == bad && s.Pipeline is { Completed: true, Lost: 0 })
            .Select(s => s.Pipeline!.DeliveriesPerSecond)];

    private static IsolationGroup Group(List<ScenarioResult> results, BadEndpoint bad, double? none)
    {
        var completed = CompletedHealthy(results, bad);
        double? mean = completed.Count > 0 ? completed.Average() : null;
        return new IsolationGroup
        {
            Bad = Isolation.Name(bad),
            Phases = results.Count(s => Isolation.TryParsePhase(s.Name, out var b) && b == bad),
            CompletedPhases = completed.Count,
            MeanHealthyDeliveriesPerSecond = Round1(mean),
            MinHealthyDeliveriesPerSecond = completed.Count > 0 ? completed.Min() : null,
            MaxHealthyDeliveriesPerSecond = completed.Count > 0 ? completed.Max() : null,
            RatioToNone = Ratio(mean, none),
        };
    }

    private static double? Ratio(double? value, double? none) =>
        value is { } v && none is > 0 ? Math.Round(v / none.Value, 3) : null;

    private static double? Round1(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static string Describe(ScenarioResult phase, int nonePhases)
    {
        var i = phase.Isolation!;
        var reference = nonePhases > 1 ? $"the mean of {nonePhases} isolation-none phases so far" : "isolation-none";
        var text = i.RatioToNone is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: healthy endpoints {i.HealthyDeliveriesPerSecond:N0} deliveries/s = {ratio:P1} of {reference} ({i.NoneDeliveriesPerSecond:N0})")
            : string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: healthy endpoints {N(i.HealthyDeliveriesPerSecond, "N0")} deliveries/s, no isolation-none figure to compare with");
        return phase.Pipeline is { Completed: false } p
            ? text + string.Create(CultureInfo.InvariantCulture, $", did not complete ({p.Lost:N0} healthy deliveries missing)")
            : text;
    }

    private static string Describe(IsolationGroup variant, IsolationSummary summary)
    {
        if (variant.RatioToNone is not { } ratio)
        {
            return $"{variant.Bad}: no phase completed";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{variant.Bad}: {Spread(variant)} = {ratio:P1} of none: {Spread(summary.None)}");
        var incomplete = new[] { summary.None, variant }.Where(g => g.CompletedPhases < summary.Rounds)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{summary.Rounds - g.CompletedPhases} {g.Bad}"))
            .ToList();
        return incomplete.Count == 0 ? text : text + $"; phases that did not complete or run: {string.Join(", ", incomplete)}";
    }

    private static string Spread(IsolationGroup group) => group.CompletedPhases == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{group.MeanHealthyDeliveriesPerSecond:N0} deliveries/s")
        : string.Create(CultureInfo.InvariantCulture,
            $"mean {group.MeanHealthyDeliveriesPerSecond:N0} deliveries/s over {group.CompletedPhases} phases (min {group.MinHealthyDeliveriesPerSecond:N0}, max {group.MaxHealthyDeliveriesPerSecond:N0})");

    private static string N(double? value, string format) =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
