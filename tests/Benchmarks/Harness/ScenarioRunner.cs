using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Benchmarks.Workload;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Benchmarks.Harness;

/// <summary>Runs one scenario: the baseline first (no silo running), then a fresh silo for the pipeline. The
/// steady run reuses the silo of the fan-out run just before it (same webhooks and endpoints), so that it runs
/// at half the maximum rate on the same warm process that reached the maximum.
/// In postgres mode every silo started gets a fresh database from <paramref name="databases"/>.
/// Isolation phases add their bad endpoint (<see cref="BadEndpointSetup"/>) to the fan-out shape.</summary>
public sealed class ScenarioRunner(Layout layout, HarnessOptions options, ReceiverProcess receiver, BenchDatabases? databases) : IAsyncDisposable
{
    /// <summary>Warm-up events and baseline warm-up requests use indexes from here, outside every measured range.</summary>
    private const int WarmupOffset = 1_000_000_000;

    /// <summary>The healthy endpoints' request timeout.</summary>
    public static readonly TimeSpan EndpointTimeout = TimeSpan.FromSeconds(10);

    private SiloProcess? _kept;
    private Scenario? _keptShape;

    public async ValueTask DisposeAsync()
    {
        if (_kept is not null)
        {
            await StopAsync(_kept);
            _kept = null;
        }
    }

    private async Task StopAsync(SiloProcess silo)
    {
        await silo.DisposeAsync();
        if (databases is not null && silo.Database is { } database)
        {
            await databases.DropDatabaseOfAsync(database);
        }
    }

    public async Task<ScenarioResult> RunAsync(Scenario scenario, List<string> errors, CancellationToken cancellationToken)
    {
        var result = new ScenarioResult
        {
            Name = scenario.Name,
            Kind = scenario.IsSteady ? "steady" : "throughput",
            Events = scenario.Events,
            Webhooks = scenario.Webhooks,
            Endpoints = scenario.Endpoints,
            MaxInFlight = scenario.MaxInFlight,
            Concurrency = scenario.Concurrency,
            ExpectedDeliveries = scenario.ExpectedDeliveries(scenario.Events),
        };
        Console.WriteLine();
        Console.WriteLine($"== {scenario.Name}: {scenario.Events:N0} events, {scenario.Webhooks} webhooks, {scenario.Endpoints} endpoints × max_in_flight {scenario.MaxInFlight}, {result.ExpectedDeliveries:N0} deliveries"
            + (scenario.IsSteady ? $", at {scenario.Rate:0.#} events/s" : "")
            + (scenario.Kind == ScenarioKind.Isolation ? "; " + Isolation.Describe(scenario.Bad) : ""));

        var runId = scenario.Name + "-" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
        var factory = new EventFactory(runId, scenario, options.BodyBytes, options.DefaultBody);
        if (factory.CheckBodyMatchesService() is { } mismatch)
        {
            errors.Add($"{scenario.Name}: {mismatch}");
        }

        // Isolation compares the pipeline with itself (with and without a bad endpoint), so it needs no baseline;
        // but the baseline's warm-up is also what brings the receiver to tier 1 before the first silo starts, and
        // without it the first phase (the reference) would pay for that alone. So each phase gets that warm-up.
        if (options.Baseline && !scenario.IsSteady && scenario.Kind != ScenarioKind.Isolation)
        {
            result.Baseline = await RunBaselineAsync(scenario, factory, result.ExpectedDeliveries, errors, cancellationToken);
        }
        else if (scenario.Kind == ScenarioKind.Isolation && options.Pipeline)
        {
            using var client = new BaselineClient(receiver.Port, scenario, factory);
            await WarmUpReceiverAsync(client, scenario.ExpectedPairs(scenario.Events), scenario.Concurrency, cancellationToken);
        }

        if (!options.Pipeline)
        {
            return result;
        }

        result.Pipeline = await RunPipelineAsync(scenario, factory, runId, result.ExpectedDeliveries, errors, cancellationToken);
        if (result.Baseline is { RequestsPerSecond: > 0 } baseline && result.Pipeline is { Completed: true } pipeline)
        {
            result.Ratio = Math.Round(pipeline.DeliveriesPerSecond / baseline.RequestsPerSecond, 3);
        }

        return result;
    }

    private async Task<BaselineResult> RunBaselineAsync(Scenario scenario, EventFactory factory, long expected, List<string> errors, CancellationToken cancellationToken)
    {
        var pairs = scenario.ExpectedPairs(scenario.Events);
        using var client = new BaselineClient(receiver.Port, scenario, factory);
        await WarmUpReceiverAsync(client, pairs, scenario.Concurrency, cancellationToken);

        var receiverBefore = ProcessSample.Read(receiver.Process.Pid);
        var harnessBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var systemBefore = SystemCpu.BusySeconds();
        var start = Stopwatch.GetTimestamp();
        await client.SendAsync(pairs, pairs.Length, null, scenario.Concurrency, cancellationToken);
        var sent = Stopwatch.GetTimestamp();
        var outcome = await Waiter.WaitForDeliveriesAsync(receiver, scenario, scenario.Events, expected,
            options.PhaseTimeout(expected), TimeSpan.FromSeconds(options.StallSeconds), () => null, cancellationToken);
        var receiverAfter = ProcessSample.Read(receiver.Process.Pid);
        var harnessAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var systemAfter = SystemCpu.BusySeconds();
        var stats = await receiver.StatsAsync(cancellationToken);

        var end = Math.Max(sent, outcome.Report.LastArrivalTicks);
        var seconds = (end - start) / (double)Stopwatch.Frequency;
        if (!outcome.Completed)
        {
            errors.Add($"{scenario.Name} baseline: {outcome.Failure}");
        }

        if (client.Errors > 0)
        {
            errors.Add($"{scenario.Name} baseline: {client.Errors} requests failed (last: {client.LastError})");
        }

        var baseline = new BaselineResult
        {
            Completed = outcome.Completed,
            Requests = pairs.Length,
            Delivered = outcome.Report.Delivered,
            Lost = outcome.Report.Lost,
            Duplicated = outcome.Report.Duplicated,
            Errors = client.Errors,
            Seconds = Math.Round(seconds, 3),
            RequestsPerSecond = Math.Round(outcome.Report.Delivered / seconds, 1),
            Concurrency = scenario.Concurrency,
            LatencyMs = outcome.Report.Latency,
            ReceiverCpuSeconds = Math.Round(receiverAfter.CpuSeconds - receiverBefore.CpuSeconds, 2),
            HarnessCpuSeconds = Math.Round((harnessAfter - harnessBefore).TotalSeconds, 2),
            OtherCpuSeconds = Math.Round(Math.Max(0, systemAfter - systemBefore - (receiverAfter.CpuSeconds - receiverBefore.CpuSeconds) - (harnessAfter - harnessBefore).TotalSeconds), 2),
            SignaturesVerified = stats.Verified,
            BadSignatures = stats.BadSignatures,
        };
        Console.WriteLine($"   baseline: {baseline.RequestsPerSecond:N0} requests/s ({baseline.Requests:N0} in {baseline.Seconds:0.00} s, concurrency {baseline.Concurrency}), p50 {baseline.LatencyMs?.P50Ms:0.0} ms, lost {baseline.Lost}; CPU s: receiver {baseline.ReceiverCpuSeconds:0.0}, client {baseline.HarnessCpuSeconds:0.0}, other processes {baseline.OtherCpuSeconds:0.0}");
        return baseline;
    }

    /// <summary>Requests straight to the receiver, then forgotten: JIT of the client and the receiver (long enough
    /// for tiered compilation to reach tier 1), connections, receiver buffers.</summary>
    private async Task WarmUpReceiverAsync(BaselineClient client, (int Event, int Webhook)[] pairs, int concurrency, CancellationToken cancellationToken)
    {
        var warmup = options.Smoke ? 500 : Math.Clamp(pairs.Length / 10, 5000, 20_000);
        await receiver.ResetAsync(cancellationToken);
        await client.SendAsync(pairs, warmup, WarmupOffset, concurrency, cancellationToken);
        await Waiter.WaitForCountAsync(receiver, warmup, TimeSpan.FromSeconds(30), cancellationToken);
        await receiver.ResetAsync(cancellationToken);
    }

    private async Task<PipelineResult> RunPipelineAsync(Scenario scenario, EventFactory factory, string runId, long expected, List<string> errors, CancellationToken cancellationToken)
    {
        SiloProcess silo;
        var reused = false;
        if (scenario.IsSteady && _kept is not null && SameShape(_keptShape!, scenario) && !_kept.Process.HasExited)
        {
            (silo, _kept, reused) = (_kept, null, true);
            Console.WriteLine($"   reusing the warm fan-out silo (pid {silo.Process.Pid})");
        }
        else
        {
            await DisposeAsync();
            var database = databases is null ? null : await databases.CreateAsync(scenario.Name, cancellationToken);
            silo = await SiloProcess.StartAsync(layout, options, scenario.Name, database, cancellationToken);
        }

        // Kept (not disposed) when the steady run comes next and can reuse it.
        var keep = scenario.Kind == ScenarioKind.FanOut && options.Scenarios.Contains("steady");
        try
        {
            return await MeasurePipelineAsync(silo, reused, scenario, factory, runId, expected, errors, cancellationToken);
        }
        finally
        {
            if (keep && !silo.Process.HasExited)
            {
                (_kept, _keptShape) = (silo, scenario);
            }
            else
            {
                await StopAsync(silo);
            }
        }
    }

    private static bool SameShape(Scenario a, Scenario b) =>
        a.Webhooks == b.Webhooks && a.Endpoints == b.Endpoints && a.MaxInFlight == b.MaxInFlight
        && a.ObjectTypeOf(0) == b.ObjectTypeOf(0) && a.WebhookCondition == b.WebhookCondition;

    /// <summary>Writes the kernel's dirty page cache back, then waits until the machine's CPUs are at most a quarter
    /// busy over a second, or 60 s (5 s in smoke mode, which measures nothing and shares the machine with the test
    /// suite); returns the wait.</summary>
    /// <remarks>A fan-out run in postgres mode leaves ~700 MB of dirty pages that the kernel writes in one burst
    /// 30 s after they were written; every commit's WAL flush queues behind it, and the steady run that happened to
    /// be running then stalled for ~600 ms (measured with /proc/meminfo sampled every second: the burst came a
    /// second or two before the stall in both runs where it was logged). That is the previous phase's bill, not the
    /// steady load's: steady's own writes (~13 MB/s, up to 250 MB written back at once) did not stall it.</remarks>
    private async Task<double> SettleAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        if (!options.Smoke && OperatingSystem.IsLinux())
        {
            var dirty = DirtyPageCacheMegabytes();
            using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
            if (sync is not null)
            {
                await sync.WaitForExitAsync(cancellationToken);
                Console.WriteLine($"   wrote back {dirty:N0} MB of dirty page cache in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s");
            }
        }

        var limit = TimeSpan.FromSeconds(options.Smoke ? 5 : 60);
        while (Stopwatch.GetElapsedTime(start) < limit)
        {
            var before = SystemCpu.BusySeconds();
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            if (SystemCpu.BusySeconds() - before <= 0.25 * Environment.ProcessorCount)
            {
                break;
            }
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The kernel's "Dirty" figure (/proc/meminfo), in MB; 0 when it cannot be read.</summary>
    private static long DirtyPageCacheMegabytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("Dirty:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task<PipelineResult> MeasurePipelineAsync(SiloProcess silo, bool reused, Scenario scenario, EventFactory factory, string runId, long expected, List<string> errors, CancellationToken cancellationToken)
    {
        double? settleSeconds = null;
        string? badUrl = null;
        if (!reused)
        {
            Console.WriteLine($"   silo pid {silo.Process.Pid} on {silo.GrpcUrl}; log {silo.Process.LogPath}");
            await CreateEndpointsAndWebhooksAsync(silo, scenario, cancellationToken);

            // Before the warm-up: the bad endpoint is bad from the start, as it would be in production.
            if (scenario.Bad != BadEndpoint.None)
            {
                badUrl = await BadEndpointSetup.CreateAsync(silo, scenario, receiver.Port, options.DefaultBody, cancellationToken);
            }

            // Warm-up through the whole pipeline, awaited, then forgotten.
            await receiver.ResetAsync(cancellationToken);
            var warmupEvents = options.WarmupEventsFor(scenario, expected);
            var warmupExpected = scenario.ExpectedDeliveries(WarmupOffset, warmupEvents);
            var warmupPublisher = new Publisher(silo.Events, new EventFactory(runId + "-warm", scenario, options.BodyBytes, options.DefaultBody));
            await warmupPublisher.RunClosedLoopAsync(WarmupOffset, warmupEvents, options.Batch, options.Publishers, cancellationToken);
            // The stall limit as in the measured phase: a silo that stops delivering during the warm-up is reported
            // within seconds instead of after the whole phase timeout.
            if (!await Waiter.WaitForCountAsync(receiver, warmupExpected, options.PhaseTimeout(warmupExpected), cancellationToken, TimeSpan.FromSeconds(options.StallSeconds)))
            {
                errors.Add($"{scenario.Name}: warm-up deliveries did not all arrive ({(await receiver.StatsAsync(cancellationToken)).Arrivals} of {warmupExpected})");
                Console.Error.WriteLine($"   {errors[^1]}");
            }

            // Every phase starts on a quiet machine, not in the wake of the silo build, the previous phase's silo
            // shutting down or the warm-up's bookkeeping; and the quiet lets the runtime's background compiler
            // finish what the warm-up queued (methods called 30 times are recompiled at tier 1 on one thread,
            // which on 2 busy cores was still at it seconds into the measured phase: ~5 % of the silo's samples).
            settleSeconds = await SettleAsync(cancellationToken);
            Console.WriteLine($"   machine quiet after {settleSeconds:0.0} s");
        }
        else
        {
            // The fan-out run's last deliveries have arrived, but their bookkeeping (outcome writes, queue
            // acknowledgements, and in postgres mode the database's own catching up) may still be running: steady
            // state means starting once the machine is quiet again.
            settleSeconds = await SettleAsync(cancellationToken);
            Console.WriteLine($"   machine quiet after {settleSeconds:0.0} s");

            // The peak working set of this phase, not of the fan-out run before it.
            ProcessSample.ResetPeak(silo.Process.Pid);
        }

        // The bad endpoint's requests count from its creation, like its state's counters: the warm-up's are kept
        // across the reset (its first attempts usually happen then, and retries wait long after).
        var badArrivalsBefore = badUrl is null ? 0 : (await receiver.StatsAsync(cancellationToken)).BadArrivals;
        await receiver.ResetAsync(cancellationToken);

        var trace = await SiloTrace.StartAsync(layout, options, silo.Process.Pid, scenario.Name);
        var perf = await SiloTrace.StartPerfAsync(layout, options, silo.Process.Pid, scenario.Name);
        var publisher = new Publisher(silo.Events, factory);
        var siloBefore = ProcessSample.Read(silo.Process.Pid);
        var receiverBefore = ProcessSample.Read(receiver.Process.Pid);
        var harnessBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var systemBefore = SystemCpu.BusySeconds();
        var stealBefore = SystemCpu.StealSeconds();
        var databaseBefore = options.IsPostgres ? SystemCpu.ProcessTicks("postgres") : [];
        var start = Stopwatch.GetTimestamp();
        await using var cpuTimeline = scenario.IsSteady ? CpuTimeline.Start(silo.Process.Pid, options.IsPostgres, start) : null;
        long published = 0;
        double? maxLag = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publishing = Task.Run(async () =>
        {
            if (scenario.IsSteady)
            {
                maxLag = await publisher.RunAtRateAsync(scenario.Events, scenario.Rate, options.Batch, 256, stop.Token);
            }
            else
            {
                await publisher.RunClosedLoopAsync(0, scenario.Events, options.Batch, options.Publishers, stop.Token);
            }

            Interlocked.Exchange(ref published, Stopwatch.GetTimestamp());
        }, stop.Token);

        var outcome = await Waiter.WaitForDeliveriesAsync(receiver, scenario, scenario.Events, expected,
            options.PhaseTimeout(expected) + TimeSpan.FromSeconds(scenario.IsSteady ? options.DurationSeconds : 0),
            TimeSpan.FromSeconds(options.StallSeconds),
            () => silo.Process.HasExited ? $"the silo exited with code {silo.Process.ExitCode}:\n{silo.Process.Tail(30)}"
                : publisher.Failure ?? (publishing.IsFaulted ? publishing.Exception?.GetBaseException().Message : null),
            cancellationToken);
        var siloAfter = ProcessSample.Read(silo.Process.Pid);
        var receiverAfter = ProcessSample.Read(receiver.Process.Pid);
        var harnessAfter = Process.GetCurrentProcess().TotalProcessorTime;
        var systemAfter = SystemCpu.BusySeconds();
        var stealAfter = SystemCpu.StealSeconds();
        var databaseAfter = options.IsPostgres ? SystemCpu.ProcessTicks("postgres") : [];
        var cpuBySecond = cpuTimeline is null ? null : await cpuTimeline.StopAsync();

        var stats = await receiver.StatsAsync(cancellationToken);
        var bad = badUrl is null ? null : await BadEndpointSetup.ReportAsync(silo, scenario, badUrl, badArrivalsBefore + stats.BadArrivals, cancellationToken);
        if (trace is not null)
        {
            await trace.DisposeAsync();
        }

        if (perf is not null)
        {
            await perf.DisposeAsync();
        }

        await stop.CancelAsync();
        try
        {
            await publishing;
        }
        catch (OperationCanceledException)
        {
            // Stopped because the wait ended first (a failure, reported below).
        }

        var report = outcome.Report;
        if (!outcome.Completed)
        {
            errors.Add($"{scenario.Name}: {outcome.Failure}");
        }

        if (publisher.Failure is { } publishFailure && outcome.Completed)
        {
            errors.Add($"{scenario.Name}: {publishFailure}");
        }

        if (report.Unexpected > 0 || report.Misrouted > 0 || stats.BadSignatures > 0 || stats.Malformed > 0)
        {
            errors.Add($"{scenario.Name}: {report.Unexpected} unexpected, {report.Misrouted} misrouted, {stats.Malformed} malformed, {stats.BadSignatures} bad signatures");
        }

        var publishedAt = Interlocked.Read(ref published);
        var end = report.LastArrivalTicks > 0 ? report.LastArrivalTicks : Stopwatch.GetTimestamp();
        var seconds = (end - start) / (double)Stopwatch.Frequency;
        var cpu = siloAfter.CpuSeconds - siloBefore.CpuSeconds;
        var result = new PipelineResult
        {
            Completed = outcome.Completed && publisher.Failure is null,
            Delivered = report.Delivered,
            Lost = report.Lost,
            Duplicated = report.Duplicated,
            Unexpected = report.Unexpected,
            Misrouted = report.Misrouted,
            Stray = report.Stray,
            Seconds = Math.Round(seconds, 3),
            DeliveriesPerSecond = Math.Round(report.Delivered / seconds, 1),
            EventsPerSecond = Math.Round(scenario.Events / seconds, 1),
            TargetEventsPerSecond = scenario.IsSteady ? scenario.Rate : null,
            SiloReused = reused,
            PublishSeconds = Math.Round(((publishedAt > 0 ? publishedAt : end) - start) / (double)Stopwatch.Frequency, 3),
            PublishBatches = publisher.Batches,
            PublishRetries = publisher.Retries,
            PublishErrors = publisher.Errors,
            MaxScheduleLagMs = maxLag is { } lag ? Math.Round(lag, 2) : null,
            LatencyMs = report.Latency,
            LatencyBySecond = scenario.IsSteady ? report.Timeline : null,
            CpuBySecond = cpuBySecond,
            SettleSeconds = settleSeconds,
            SiloCpuSeconds = Math.Round(cpu, 2),
            SiloCpuSecondsPer1000Deliveries = report.Delivered > 0 ? Math.Round(cpu / report.Delivered * 1000, 4) : 0,
            SiloPeakWorkingSetBytes = siloAfter.PeakWorkingSetBytes,
            ReceiverCpuSeconds = Math.Round(receiverAfter.CpuSeconds - receiverBefore.CpuSeconds, 2),
            HarnessCpuSeconds = Math.Round((harnessAfter - harnessBefore).TotalSeconds, 2),
            OtherCpuSeconds = Math.Round(Math.Max(0, systemAfter - systemBefore - cpu - (receiverAfter.CpuSeconds - receiverBefore.CpuSeconds) - (harnessAfter - harnessBefore).TotalSeconds), 2),
            DatabaseCpuSeconds = options.IsPostgres ? Math.Round(SystemCpu.SecondsBetween(databaseBefore, databaseAfter), 2) : null,
            StealCpuSeconds = Math.Round(stealAfter - stealBefore, 2),
            LoadAverageAtEnd = SystemCpu.LoadAverage(),
            ReceiverMalformed = stats.Malformed,
            SignaturesVerified = stats.Verified,
            BadSignatures = stats.BadSignatures,
            BadEndpoint = bad,
        };
        Console.WriteLine($"   pipeline: {result.DeliveriesPerSecond:N0} deliveries/s, {result.EventsPerSecond:N0} events/s ({result.Delivered:N0} in {result.Seconds:0.00} s), "
            + $"p50 {result.LatencyMs?.P50Ms:0.0} / p99 {result.LatencyMs?.P99Ms:0.0} ms, lost {result.Lost}, duplicated {result.Duplicated}, retries {result.PublishRetries}; "
            + $"CPU s: silo {result.SiloCpuSeconds:0.0}, receiver {result.ReceiverCpuSeconds:0.0}, harness {result.HarnessCpuSeconds:0.0}, other processes {result.OtherCpuSeconds:0.0}"
            + (result.DatabaseCpuSeconds is { } database ? $" (PostgreSQL {database:0.0})" : "") + $", steal {result.StealCpuSeconds:0.0}");
        if (result.LatencyBySecond is { Count: > 0 } bySecond)
        {
            Console.WriteLine("   p99 ms by second: " + string.Join(' ', bySecond.Select(s => s.P99Ms.ToString("0", CultureInfo.InvariantCulture))));
        }

        if (result.CpuBySecond is { Count: > 0 } cpuSeconds)
        {
            Console.WriteLine("   cores busy by second (machine/silo" + (options.IsPostgres ? "/PostgreSQL" : "") + "/steal): "
                + string.Join(' ', cpuSeconds.Select(c => FormattableString.Invariant($"{c.Machine:0.0}/{c.Silo:0.0}")
                    + (c.Database is { } d ? FormattableString.Invariant($"/{d:0.0}") : "") + FormattableString.Invariant($"/{c.Steal:0.0}"))));
        }

        if (bad is not null)
        {
            Console.WriteLine("   " + BadEndpointSetup.Summary(bad));
        }

        return result;
    }

    private async Task CreateEndpointsAndWebhooksAsync(SiloProcess silo, Scenario scenario, CancellationToken cancellationToken)
    {
        for (var k = 0; k < scenario.Endpoints; k++)
        {
            await silo.Endpoints.CreateEndpointAsync(new Proto.CreateEndpointRequest
            {
                EndpointId = Id("ep", k),
                Endpoint = new Proto.Endpoint
                {
                    Name = "bench endpoint " + k.ToString(CultureInfo.InvariantCulture),
                    Url = BenchProtocol.HookUrl(receiver.Port, k),
                    Secret = BenchProtocol.EndpointSecret(k),
                    MaxInFlight = scenario.MaxInFlight,
                    Timeout = Duration.FromTimeSpan(EndpointTimeout),
                },
            }, cancellationToken: cancellationToken);
        }

        for (var w = 0; w < scenario.Webhooks; w++)
        {
            var webhook = new Proto.Webhook
            {
                Name = "bench webhook " + w.ToString(CultureInfo.InvariantCulture),
                ObjectTypes = { scenario.WebhookObjectType(w) },
                Events = { "created" },
                AdditionalHeaders = BenchProtocol.WebhookHeader + ": " + w.ToString(CultureInfo.InvariantCulture),
                BodyTemplate = options.DefaultBody ? "" : EventFactory.BodyTemplate,
                EndpointIds = { Id("ep", scenario.EndpointOf(w)) },
            };
            if (scenario.WebhookCondition is { } condition)
            {
                webhook.Condition = condition;
            }

            await silo.Webhooks.CreateWebhookAsync(new Proto.CreateWebhookRequest { WebhookId = Id("wh", w), Webhook = webhook }, cancellationToken: cancellationToken);
        }
    }

    private static string Id(string prefix, int n) => prefix + n.ToString(CultureInfo.InvariantCulture);
}
