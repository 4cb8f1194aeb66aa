using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The JSON document written by --out (schema "webhooks-bench/1").</summary>
public sealed record BenchResults
{
    public string Schema { get; init; } = "webhooks-bench/1";
    public required DateTimeOffset StartedAt { get; init; }
    public required string Commit { get; init; }
    /// <summary>`git status --porcelain` of src/ and protos/ at the start: non-empty means the silo was built from
    /// uncommitted changes on top of <see cref="Commit"/>.</summary>
    public required string[] UncommittedSourceChanges { get; init; }
    public required MachineInfo Machine { get; init; }
    /// <summary>1-minute load average when the run started: anything well above 0 means a busy machine.</summary>
    public required double LoadAverageAtStart { get; init; }
    public required Dictionary<string, object?> Options { get; init; }
    public List<ScenarioResult> Scenarios { get; init; } = [];
    public List<TargetResult> Targets { get; init; } = [];
    /// <summary>The isolation scenario's phases summed up per variant; null when isolation did not run.</summary>
    public IsolationSummary? Isolation { get; set; }
    /// <summary>Every phase completed with nothing lost and no publish error.</summary>
    public bool Success { get; set; }
    public List<string> Errors { get; init; } = [];
    public string? LogDirectory { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

public sealed record MachineInfo(int Processors, string CpuModel, long MemoryBytes, string DotnetVersion, string Os)
{
    public static MachineInfo Read()
    {
        var model = "unknown";
        long memory = 0;
        try
        {
            model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? model;
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null)
            {
                memory = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // Not Linux: leave unknown.
        }

        return new MachineInfo(Environment.ProcessorCount, model, memory, Environment.Version.ToString(), System.Runtime.InteropServices.RuntimeInformation.OSDescription);
    }
}

public sealed record ScenarioResult
{
    public required string Name { get; init; }
    /// <summary>"throughput" (closed loop) or "steady" (fixed events/s).</summary>
    public required string Kind { get; init; }
    public required int Events { get; init; }
    public required int Webhooks { get; init; }
    public required int Endpoints { get; init; }
    public required int MaxInFlight { get; init; }
    /// <summary>Endpoints × max_in_flight: requests in flight at most, for the pipeline and the baseline.</summary>
    public required int Concurrency { get; init; }
    public required long ExpectedDeliveries { get; init; }
    public PipelineResult? Pipeline { get; set; }
    public BaselineResult? Baseline { get; set; }
    /// <summary>Pipeline deliveries/s divided by baseline requests/s.</summary>
    public double? Ratio { get; set; }
    /// <summary>Isolation phases: this phase's healthy throughput against the phases without a bad endpoint.</summary>
    public IsolationResult? Isolation { get; set; }
}

/// <summary>One isolation phase compared with the reference phases (isolation-none, same shape, no bad endpoint).
/// Every phase runs on a fresh silo (and database), so the phases differ only in the bad endpoint.</summary>
public sealed record IsolationResult
{
    /// <summary>"none" (the reference), "timeout" or "backlog".</summary>
    public required string Bad { get; init; }
    /// <summary>1 for the first round of phases, 2… with --isolation-repeat (the phase name ends in "-{round}").</summary>
    public int Round { get; init; } = 1;
    /// <summary>Deliveries/s to the healthy endpoints (the pipeline's deliveriesPerSecond: the bad endpoint's
    /// requests are never counted as deliveries).</summary>
    public double? HealthyDeliveriesPerSecond { get; init; }
    /// <summary>The mean of the same over every completed none phase of the run (with one round: isolation-none's);
    /// null when none completed.</summary>
    public double? NoneDeliveriesPerSecond { get; init; }
    /// <summary><see cref="HealthyDeliveriesPerSecond"/> / <see cref="NoneDeliveriesPerSecond"/>. The target judges
    /// the variants' means (<see cref="IsolationSummary"/>), not single phases.</summary>
    public double? RatioToNone { get; init; }
}

/// <summary>The isolation phases summed up: the reference and each variant over all their rounds. Single phases
/// vary by 10-20 % from run to run on a busy 2-core machine; the means over alternating rounds are what the target
/// judges, and min / max show how far the phases spread.</summary>
public sealed record IsolationSummary
{
    /// <summary>Rounds asked for (--isolation-repeat): the phases each group should have.</summary>
    public required int Rounds { get; init; }
    public required IsolationGroup None { get; init; }
    public required List<IsolationGroup> Variants { get; init; }
}

/// <summary>The phases of one variant (or of the reference, "none").</summary>
public sealed record IsolationGroup
{
    /// <summary>"none", "timeout" or "backlog".</summary>
    public required string Bad { get; init; }
    /// <summary>Phases that ran (a phase that failed to start is missing here but listed in the errors).</summary>
    public required int Phases { get; init; }
    /// <summary>Phases that completed with nothing lost: the ones the mean, min and max are taken over.</summary>
    public required int CompletedPhases { get; init; }
    public double? MeanHealthyDeliveriesPerSecond { get; init; }
    public double? MinHealthyDeliveriesPerSecond { get; init; }
    public double? MaxHealthyDeliveriesPerSecond { get; init; }
    /// <summary>Mean / the none group's mean; the target is >= 0.9 for every variant (1 for "none" itself).</summary>
    public double? RatioToNone { get; init; }
}

public sealed record PipelineResult
{
    public required bool Completed { get; init; }
    public required long Delivered { get; init; }
    public required long Lost { get; init; }
    public required long Duplicated { get; init; }
    public required long Unexpected { get; init; }
    public required long Misrouted { get; init; }
    public required long Stray { get; init; }
    public required double Seconds { get; init; }
    public required double DeliveriesPerSecond { get; init; }
    public required double EventsPerSecond { get; init; }
    /// <summary>Steady runs: the rate asked for; throughput runs: null.</summary>
    public double? TargetEventsPerSecond { get; init; }
    /// <summary>True when this (steady) run used the warm silo of the fan-out run before it; its peak working set
    /// is then measured from the start of this run.</summary>
    public bool SiloReused { get; init; }
    /// <summary>Seconds until the last PublishBatch call returned.</summary>
    public required double PublishSeconds { get; init; }
    public required long PublishBatches { get; init; }
    /// <summary>PublishBatch calls repeated after RESOURCE_EXHAUSTED (same event ids).</summary>
    public required long PublishRetries { get; init; }
    public required long PublishErrors { get; init; }
    /// <summary>Steady runs: the latest a batch was sent after its scheduled time.</summary>
    public double? MaxScheduleLagMs { get; init; }
    /// <summary>Publish (just before the PublishBatch call) to arrival at the receiver.</summary>
    public LatencySummary? LatencyMs { get; init; }
    /// <summary>Runs on a reused silo and isolation phases: how long the harness waited for the machine to become
    /// quiet before measuring.</summary>
    public double? SettleSeconds { get; init; }
    /// <summary>Steady runs: latency by the second the events were sent in.</summary>
    public IReadOnlyList<LatencySecond>? LatencyBySecond { get; init; }
    /// <summary>Steady runs: cores busy by second (machine, silo, database) from the first publish on.</summary>
    public IReadOnlyList<CpuSecond>? CpuBySecond { get; init; }
    public required double SiloCpuSeconds { get; init; }
    public required double SiloCpuSecondsPer1000Deliveries { get; init; }
    public required long SiloPeakWorkingSetBytes { get; init; }
    public required double ReceiverCpuSeconds { get; init; }
    public required double HarnessCpuSeconds { get; init; }
    /// <summary>CPU seconds used on the machine by processes other than silo, receiver and harness during the
    /// measurement: a noisy neighbour shows here (the machine has Processors × Seconds in all).</summary>
    public required double OtherCpuSeconds { get; init; }
    /// <summary>Postgres mode: CPU seconds of the PostgreSQL server's processes (part of <see cref="OtherCpuSeconds"/>).</summary>
    public double? DatabaseCpuSeconds { get; init; }
    /// <summary>CPU seconds the hypervisor gave to other guests while this machine had work (/proc/stat steal;
    /// part of <see cref="OtherCpuSeconds"/>): a phase with much of it ran on a busy host.</summary>
    public double StealCpuSeconds { get; init; }
    public required double LoadAverageAtEnd { get; init; }
    public required long ReceiverMalformed { get; init; }
    public required long SignaturesVerified { get; init; }
    public required long BadSignatures { get; init; }
    /// <summary>Isolation phases with a bad endpoint: what it was and how it fared; null otherwise.</summary>
    public BadEndpointResult? BadEndpoint { get; init; }
}

/// <summary>The isolation scenario's extra endpoint in one phase.</summary>
public sealed record BadEndpointResult
{
    /// <summary>"timeout" or "backlog".</summary>
    public required string Kind { get; init; }
    public required string Url { get; init; }
    public required double TimeoutSeconds { get; init; }
    /// <summary>Requests that reached the receiver's slow path since the endpoint was created (warm-up included);
    /// always 0 for backlog, whose port is closed.</summary>
    public required long Arrivals { get; init; }
    /// <summary>The silo's GetEndpointState when the healthy deliveries had all arrived (counters since the
    /// endpoint's activation, warm-up included); null when it could not be read (see <see cref="StateError"/>).</summary>
    public EndpointStateResult? State { get; init; }
    public string? StateError { get; init; }
}

/// <summary>The parts of the gRPC EndpointState that show a backlog and its failures.</summary>
/// <param name="CircuitState">"Closed", "Open" or "HalfOpen" (the generated C# enum name).</param>
public sealed record EndpointStateResult(
    long Queued, int InFlight, long Delivered, long Failed, long Attempts, bool BacklogInStore, int WaitingEnqueuers,
    int QueueCapacity, int LastStatusCode, string LastError, string CircuitState, int ConsecutiveFailures,
    int WaitingForRetry, string DisabledReason);

public sealed record BaselineResult
{
    public required bool Completed { get; init; }
    public required long Requests { get; init; }
    public required long Delivered { get; init; }
    public required long Lost { get; init; }
    public required long Duplicated { get; init; }
    public required long Errors { get; init; }
    public required double Seconds { get; init; }
    public required double RequestsPerSecond { get; init; }
    public required int Concurrency { get; init; }
    public LatencySummary? LatencyMs { get; init; }
    public required double ReceiverCpuSeconds { get; init; }
    public required double HarnessCpuSeconds { get; init; }
    public required double OtherCpuSeconds { get; init; }
    public required long SignaturesVerified { get; init; }
    public required long BadSignatures { get; init; }
}

public sealed record TargetResult(string Name, string Requirement, double? Value, bool? Met, string Note);

public static class ResultTable
{
    public static string Format(BenchResults results)
    {
        var rows = new List<string[]>
        {
            new[] { "scenario", "events", "deliveries", "deliv/s", "events/s", "baseline/s", "ratio", "p50 ms", "p95 ms", "p99 ms", "max ms", "silo CPU s/1k", "peak WS MB", "lost", "dup", "retries" },
        };
        foreach (var s in results.Scenarios)
        {
            var p = s.Pipeline;
            rows.Add(
            [
                s.Name + (s.Kind == "steady" && p?.TargetEventsPerSecond is { } rate ? $" @{rate:0}/s" : ""),
                s.Events.ToString("N0", CultureInfo.InvariantCulture),
                s.ExpectedDeliveries.ToString("N0", CultureInfo.InvariantCulture),
                N(p?.DeliveriesPerSecond, "N0"),
                N(p?.EventsPerSecond, "N0"),
                N(s.Baseline?.RequestsPerSecond, "N0"),
                N(s.Ratio, "0.00"),
                N(p?.LatencyMs?.P50Ms, "0.0"),
                N(p?.LatencyMs?.P95Ms, "0.0"),
                N(p?.LatencyMs?.P99Ms, "0.0"),
                N(p?.LatencyMs?.MaxMs, "0.0"),
                N(p?.SiloCpuSecondsPer1000Deliveries, "0.000"),
                N(p is null ? null : p.SiloPeakWorkingSetBytes / 1048576.0, "0"),
                p is null ? "-" : (p.Completed ? p.Lost.ToString(CultureInfo.InvariantCulture) : p.Lost + "!"),
                p?.Duplicated.ToString(CultureInfo.InvariantCulture) ?? "-",
                p?.PublishRetries.ToString(CultureInfo.InvariantCulture) ?? "-",
            ]);
        }

        var text = new StringBuilder();
        AppendColumns(text, rows);
        if (IsolationReport.Rows(results) is { Count: > 0 } isolation)
        {
            text.AppendLine();
            AppendColumns(text, isolation);
        }

        if (IsolationReport.SummaryRows(results) is { Count: > 0 } variants)
        {
            text.AppendLine();
            AppendColumns(text, variants);
        }

        foreach (var t in results.Targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"target {t.Name}: {t.Requirement} -> {(t.Met is null ? "not measured" : t.Met.Value ? "MET" : "NOT MET")} ({t.Note})");
        }

        foreach (var error in results.Errors)
        {
            text.AppendLine("error: " + error);
        }

        return text.ToString();
    }

    /// <summary>Aligned columns: the first row is the header, the first column left-aligned, the rest right-aligned.</summary>
    private static void AppendColumns(StringBuilder text, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            text.AppendLine(string.Join("  ", rows[r].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (r == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    private static string N(double? value, string format) =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
