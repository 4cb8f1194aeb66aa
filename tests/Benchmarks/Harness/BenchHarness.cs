using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Webhooks.ProcessHarness;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The end-to-end benchmark: receiver up, then per scenario baseline → fresh silo → pipeline; results as a
/// table and JSON. Exit code 0 only when every phase completed with nothing lost.</summary>
public static class BenchHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        HarnessOptions options;
        try
        {
            options = HarnessOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync();
            await Console.Error.WriteLineAsync(HarnessOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
            ChildProcess.KillAll();
        };

        var layout = Layout.Resolve(options);
        var results = new BenchResults
        {
            StartedAt = DateTimeOffset.UtcNow,
            Commit = Layout.GitCommit(layout.RepoRoot),
            UncommittedSourceChanges = Layout.UncommittedSourceFiles(layout.RepoRoot),
            Machine = MachineInfo.Read(),
            LoadAverageAtStart = SystemCpu.LoadAverage(),
            Options = Describe(options, layout),
            LogDirectory = layout.LogDirectory,
        };
        Console.WriteLine($"Webhooks benchmark: mode {options.Mode}, scenarios {string.Join(", ", options.Scenarios)}; commit {results.Commit}; logs in {layout.LogDirectory}");
        if (results.UncommittedSourceChanges.Length > 0)
        {
            Console.WriteLine($"Note: src/ or protos/ has {results.UncommittedSourceChanges.Length} uncommitted changes; the silo is built from the working tree.");
        }

        BenchDatabases? databases = null;
        try
        {
            if (options.SiloDll is null && !options.NoBuild && options.Pipeline)
            {
                await SiloProcess.BuildAsync(layout, cancel.Token);
            }

            if (options.IsPostgres && options.Pipeline)
            {
                databases = await BenchDatabases.ConnectAsync(layout, options, cancel.Token);
            }

            await using var receiver = await ReceiverProcess.StartAsync(layout, options.Verify, cancel.Token);
            Console.WriteLine($"Receiver pid {receiver.Process.Pid} on 127.0.0.1:{receiver.Port}");
            await using var runner = new ScenarioRunner(layout, options, receiver, databases);
            double? fanOutEventsPerSecond = null;
            foreach (var name in options.Scenarios)
            {
                var scenario = options.Build(name, fanOutEventsPerSecond);
                ScenarioResult result;
                try
                {
                    result = await runner.RunAsync(scenario, results.Errors, cancel.Token);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or Grpc.Core.RpcException or HttpRequestException or IOException or DbException)
                {
                    results.Errors.Add($"{name}: {ex.Message}");
                    Console.Error.WriteLine($"   {name} failed: {ex.Message}");
                    continue;
                }

                IsolationReport.Compare(result, results.Scenarios);
                results.Scenarios.Add(result);
                if (name == "fanout" && result.Pipeline is { Completed: true } fanOut)
                {
                    fanOutEventsPerSecond = fanOut.EventsPerSecond;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            results.Errors.Add("cancelled");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException or Grpc.Core.RpcException or HttpRequestException or IOException or DbException)
        {
            results.Errors.Add(ex.Message);
        }
        finally
        {
            ChildProcess.KillAll();
            if (databases is not null)
            {
                // After the silos are gone: --keep-db lists the databases instead of dropping them.
                await databases.DisposeAsync();
            }
        }

        // Before the targets: the isolation target judges the summary, and each phase's ratio is final only now that
        // every none phase (later rounds included) has run.
        IsolationReport.Summarize(results, options);
        EvaluateTargets(results, options);
        results.Success = results.Errors.Count == 0
            && results.Scenarios.Count == options.Scenarios.Count
            && results.Scenarios.All(s => (s.Pipeline is { Completed: true, Lost: 0 } || (!options.Pipeline && s.Pipeline is null))
                                          && (s.Baseline is null || s.Baseline is { Completed: true, Lost: 0 }));

        Console.WriteLine();
        Console.WriteLine(ResultTable.Format(results));
        if (options.Out is { } path)
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, JsonSerializer.Serialize(results, BenchResults.Json));
            Console.WriteLine($"Results written to {full}");
        }

        Console.WriteLine(results.Success ? "OK" : $"FAILED (logs in {layout.LogDirectory})");
        return results.Success ? 0 : 1;
    }

    /// <summary>The targets of the run's storage mode (others are not listed): memory mode fan-out >= 50 % of the
    /// baseline and steady p99 < 50 ms; postgres mode (durable queues, one database round trip or more per step)
    /// fan-out >= 25 % and steady p99 < 100 ms. Steady is judged only at half the fan-out maximum of the same run.
    /// Isolation (both modes, when it ran): the healthy endpoints keep >= 90 % of their deliveries/s next to a bad
    /// endpoint.</summary>
    private static void EvaluateTargets(BenchResults results, HarnessOptions options)
    {
        var (prefix, minRatio, maxP99Ms) = options.IsPostgres ? ("postgres-", 0.25, 100.0) : ("", 0.5, 50.0);
        var fanOut = results.Scenarios.FirstOrDefault(s => s.Name == "fanout");
        results.Targets.Add(new TargetResult(
            prefix + "fanout-vs-baseline",
            string.Create(CultureInfo.InvariantCulture, $"{options.Mode} mode fan-out deliveries/s >= {minRatio * 100:0} % of baseline requests/s"),
            fanOut?.Ratio,
            fanOut?.Ratio is { } ratio ? ratio >= minRatio : null,
            fanOut?.Ratio is { } r
                ? string.Create(CultureInfo.InvariantCulture, $"{fanOut.Pipeline!.DeliveriesPerSecond:0} deliveries/s vs {fanOut.Baseline!.RequestsPerSecond:0} requests/s = {r:P0}")
                : "fanout with baseline not run"));

        var steady = results.Scenarios.FirstOrDefault(s => s.Name == "steady");
        var p99 = steady?.Pipeline?.LatencyMs?.P99Ms;
        var atHalf = options.Rate is null && fanOut?.Pipeline is { Completed: true };
        results.Targets.Add(new TargetResult(
            prefix + "steady-p99",
            string.Create(CultureInfo.InvariantCulture, $"{(options.IsPostgres ? "postgres mode " : "")}p99 publish-to-arrival < {maxP99Ms:0} ms at half the maximum rate"),
            p99,
            p99 is { } v && steady!.Pipeline!.Completed && atHalf ? v < maxP99Ms : null,
            steady?.Pipeline is { } p
                ? string.Create(CultureInfo.InvariantCulture, $"p99 {p99:0.0} ms at {p.TargetEventsPerSecond:0} events/s ({p.DeliveriesPerSecond:0} deliveries/s)")
                    + (atHalf ? string.Create(CultureInfo.InvariantCulture, $", half the fan-out maximum of {fanOut!.Pipeline!.EventsPerSecond:0} events/s") : ", rate from --rate: not judged against the target")
                : "steady not run"));

        // Listed only when isolation ran: unlike the two above, it is not part of every run's verdict (and the smoke
        // test expects exactly those two).
        if (IsolationReport.Target(results) is { } isolation)
        {
            results.Targets.Add(isolation);
        }
    }

    private static Dictionary<string, object?> Describe(HarnessOptions o, Layout layout) => new()
    {
        ["mode"] = o.Mode,
        ["postgres"] = o.IsPostgres ? BenchDatabases.Describe(BenchDatabases.Resolve(o)) : null,
        ["keepDb"] = o.KeepDatabase,
        ["scenarios"] = o.Scenarios.ToArray(),
        ["isolationBad"] = o.Scenarios.Any(n => Workload.Isolation.TryParsePhase(n, out _)) ? o.IsolationVariants.Distinct().Select(Workload.Isolation.Name).ToArray() : null,
        ["isolationRepeat"] = o.Scenarios.Any(n => Workload.Isolation.TryParsePhase(n, out _)) ? o.IsolationRepeat : null,
        ["events"] = o.Events,
        ["webhooks"] = o.Webhooks,
        ["endpoints"] = o.Endpoints,
        ["maxInFlight"] = o.MaxInFlight,
        ["singleMaxInFlight"] = o.SingleMaxInFlight,
        ["rate"] = o.Rate,
        ["durationSeconds"] = o.DurationSeconds,
        ["publishers"] = o.Publishers,
        ["batch"] = o.Batch,
        ["bodyBytes"] = o.BodyBytes,
        ["defaultBody"] = o.DefaultBody,
        ["warmupEvents"] = o.Warmup,
        ["verify"] = o.Verify,
        ["baseline"] = o.Baseline,
        ["smoke"] = o.Smoke,
        ["siloArgs"] = o.SiloArgs.ToArray(),
        ["siloEnvironment"] = o.SiloEnvironment.ToArray(),
        ["configuration"] = layout.Configuration,
        ["siloDll"] = layout.SiloDll,
    };
}
