using System.Globalization;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Harness;

/// <summary>Command line of the end-to-end benchmark.</summary>
public sealed class HarnessOptions
{
    public const string Usage = """
        Webhooks end-to-end benchmark: starts the service (src/Silo) and a receiver as separate processes on
        127.0.0.1, publishes through the gRPC API and measures deliveries against a plain-HttpClient baseline.
        Targets: memory mode fan-out >= 50 % of the baseline and steady p99 < 50 ms; postgres mode fan-out >= 25 %
        and steady p99 < 100 ms; both modes: healthy endpoints' deliveries/s with a bad endpoint >= 90 % of without.

          dotnet run -c Release --project tests/Benchmarks -- [options]
          dotnet run -c Release --project tests/Benchmarks -- micro [BenchmarkDotNet options, e.g. --filter '*']

        Options (defaults in brackets):
          --mode memory|postgres     storage provider of the service [memory]; postgres gives every silo a fresh
                                     database on the server (running .ci/postgres.sh first when a local server
                                     does not answer) and drops them all at the end
          --postgres CONN            postgres mode: maintenance connection string, a role that may CREATE DATABASE
                                     [$WEBHOOKS_BENCH_POSTGRES, else Host=127.0.0.1;Port=5432;Username=webhooks;
                                     Password=webhooks;Database=postgres]
          --keep-db                  postgres mode: keep the databases (their names are printed at the end)
          --scenario LIST            comma list of fanout, many-endpoints, single-endpoint, conditions, steady,
                                     isolation, or all [fanout]
          --isolation-bad LIST       isolation: what the extra endpoint does, timeout (never answers within its
                                     2 s timeout) and/or backlog (down: connection refused); each is a phase
                                     measured against a phase without it [timeout,backlog]
          --isolation-repeat N       isolation: run all its phases N times (1..10), in alternating order (none,
                                     v1, v2, then v2, v1, none, ...; later rounds named e.g. isolation-none-2);
                                     each variant is compared with the mean of all none phases [1]
          --events N                 events per throughput scenario [20000]
          --webhooks N               webhooks (fanout/conditions/steady: 10, single-endpoint: 1)
          --endpoints N              endpoints (fanout/conditions/steady: 10, many-endpoints: 100)
          --max-in-flight N          per endpoint, fanout/conditions/steady [4]
          --single-max-in-flight N   max_in_flight of the single-endpoint scenario [32]
          --rate N                   steady events/s [half the fanout events/s measured in the same run]
          --duration S               steady run length in seconds [20]
          --publishers N             concurrent PublishBatch callers [4]
          --batch N                  events per PublishBatch [100]
          --body-bytes N             approximate delivery body size [1024]
          --default-body             no body template: the service sends the JSON of the whole event context
          --warmup N                 events published (and awaited) before measuring [enough for a tenth of
                                     the deliveries, 5000..20000 deliveries; isolation: at least 50 batches]
          --timeout S                longest wait for all deliveries of one phase [300 + 1 per 1000 deliveries]
          --stall S                  give up when nothing arrives for this long [30]
          --verify none|sample|all   receiver checks X-Hook-Signature on none / 1 in 64 / every request [sample]
          --no-baseline              skip the plain-HttpClient baseline
          --baseline-only            run only the baseline (no silo)
          --out FILE                 write results as JSON
          --logs DIR                 child process logs [a new temp directory]
          --silo-dll FILE            run this silo build instead of building src/Silo
          --no-build                 use src/Silo/bin/<configuration>/net10.0 as it is
          --configuration NAME       configuration to build and run src/Silo in [this assembly's, Release]
          --silo-arg KEY=VALUE       extra service configuration, passed as --KEY=VALUE (repeatable)
          --silo-env NAME=VALUE      environment variable for the silo process only, e.g. a runtime knob (repeatable)
          --trace DIR                record the silo with dotnet-trace during each measured phase into
                                     DIR/<scenario>.nettrace (needs `dotnet tool install -g dotnet-trace`)
          --trace-profile NAME       dotnet-trace profile [dotnet-sampled-thread-time]
          --perf DIR                 CPU-sample the silo with Linux perf (call graphs, JIT symbols through
                                     DOTNET_PerfMapEnabled) into DIR/<scenario>.perf.data
          Traced or perf-sampled runs are slower: use them to find costs, not for the results table.
          --smoke                    a few thousand events, every signature verified; for the test suite
        """;

    public string Mode { get; set; } = "memory";
    public bool IsPostgres => Mode == "postgres";
    public string? Postgres { get; set; }
    public bool KeepDatabase { get; set; }
    public List<string> Scenarios { get; } = [];
    /// <summary>The isolation scenario's bad-endpoint variants (one measured phase each); empty: all of them.</summary>
    public List<BadEndpoint> IsolationBad { get; } = [];

    /// <summary>The bad-endpoint variants the isolation scenario runs: --isolation-bad, or all of them.</summary>
    public IReadOnlyList<BadEndpoint> IsolationVariants => IsolationBad.Count > 0 ? IsolationBad : Isolation.Variants;

    /// <summary>--isolation-repeat: how many rounds of the isolation phases run (<see cref="Isolation.Phases"/>).</summary>
    public int IsolationRepeat { get; set; } = 1;

    public int Events { get; set; } = 20_000;
    public int? Webhooks { get; set; }
    public int? Endpoints { get; set; }
    public int? MaxInFlight { get; set; }
    public int SingleMaxInFlight { get; set; } = 32;
    public double? Rate { get; set; }
    public double DurationSeconds { get; set; } = 20;
    public int Publishers { get; set; } = 4;
    public int Batch { get; set; } = 100;
    public int BodyBytes { get; set; } = 1024;
    public bool DefaultBody { get; set; }
    public int? Warmup { get; set; }
    public double? TimeoutSeconds { get; set; }

    /// <summary>Longest wait for one phase's deliveries: --timeout, or 300 s plus 1 s per 1 000 deliveries (the
    /// stall limit ends a hung run much earlier).</summary>
    public TimeSpan PhaseTimeout(long deliveries) => TimeSpan.FromSeconds(TimeoutSeconds ?? (300 + (deliveries / 1000.0)));
    public double StallSeconds { get; set; } = 30;
    public string Verify { get; set; } = "sample";
    public bool Baseline { get; set; } = true;
    public bool Pipeline { get; set; } = true;
    public string? Out { get; set; }
    public string? LogDirectory { get; set; }
    public string? SiloDll { get; set; }
    public bool NoBuild { get; set; }
    public string? Configuration { get; set; }
    public List<string> SiloArgs { get; } = [];

    public List<string> SiloEnvironment { get; } = [];
    public bool Smoke { get; set; }
    public string? TraceDirectory { get; set; }
    public string? PerfDirectory { get; set; }
    public string TraceProfile { get; set; } = "dotnet-sampled-thread-time";

    /// <summary>Events published and awaited before measuring: --warmup, or enough for about a tenth of the
    /// scenario's deliveries (5 000 to 20 000), so that tiered compilation has reached tier 1. Isolation phases warm
    /// up with at least 50 publish batches: they are compared with one another, and the first of them also warms up
    /// the harness's own per-batch publishing code (a method reaches tier 1 after 30 calls), which would otherwise
    /// slow the reference phase alone.</summary>
    public int WarmupEventsFor(Scenario scenario, long expectedDeliveries)
    {
        if (Warmup is { } given)
        {
            return given;
        }

        var perEvent = Math.Max(0.01, (double)expectedDeliveries / Math.Max(1, scenario.Events));
        var deliveries = Math.Clamp(expectedDeliveries / 10, 5_000, 20_000);
        var events = (int)Math.Ceiling(deliveries / perEvent);
        return scenario.Kind == ScenarioKind.Isolation ? Math.Max(events, 50 * Batch) : events;
    }

    public static HarnessOptions Parse(string[] args)
    {
        var o = new HarnessOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double NextDouble() => double.Parse(Next(), CultureInfo.InvariantCulture);
            string NextAssignment() => Next() is var value && value.IndexOf('=', StringComparison.Ordinal) > 0
                ? value
                : throw new ArgumentException($"{arg} wants NAME=VALUE");
            switch (arg)
            {
                case "--mode": o.Mode = Next(); break;
                case "--postgres": o.Postgres = Next(); break;
                case "--keep-db": o.KeepDatabase = true; break;
                case "--scenario" or "--scenarios": o.Scenarios.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--isolation-bad": o.IsolationBad.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Isolation.ParseVariant)); break;
                case "--isolation-repeat": o.IsolationRepeat = NextInt(); break;
                case "--events": o.Events = NextInt(); break;
                case "--webhooks": o.Webhooks = NextInt(); break;
                case "--endpoints": o.Endpoints = NextInt(); break;
                case "--max-in-flight": o.MaxInFlight = NextInt(); break;
                case "--single-max-in-flight": o.SingleMaxInFlight = NextInt(); break;
                case "--rate": o.Rate = NextDouble(); break;
                case "--duration": o.DurationSeconds = NextDouble(); break;
                case "--publishers": o.Publishers = NextInt(); break;
                case "--batch": o.Batch = NextInt(); break;
                case "--body-bytes": o.BodyBytes = NextInt(); break;
                case "--default-body": o.DefaultBody = true; break;
                case "--warmup": o.Warmup = NextInt(); break;
                case "--timeout": o.TimeoutSeconds = NextDouble(); break;
                case "--stall": o.StallSeconds = NextDouble(); break;
                case "--verify": o.Verify = Next(); break;
                case "--no-baseline": o.Baseline = false; break;
                case "--baseline-only": o.Pipeline = false; break;
                case "--out": o.Out = Next(); break;
                case "--logs": o.LogDirectory = Next(); break;
                case "--silo-dll": o.SiloDll = Next(); break;
                case "--no-build": o.NoBuild = true; break;
                case "--configuration" or "-c": o.Configuration = Next(); break;
                case "--silo-arg": o.SiloArgs.Add(Next()); break;
                case "--silo-env": o.SiloEnvironment.Add(NextAssignment()); break;
                case "--smoke": o.Smoke = true; break;
                case "--trace": o.TraceDirectory = Next(); break;
                case "--perf": o.PerfDirectory = Next(); break;
                case "--trace-profile": o.TraceProfile = Next(); break;
                default: throw new ArgumentException($"unknown option '{arg}'");
            }
        }

        if (o.Smoke)
        {
            o.ApplySmokeDefaults(args);
        }

        if (o.Scenarios.Count == 0)
        {
            o.Scenarios.Add("fanout");
        }

        if (o.Scenarios.Remove("all"))
        {
            o.Scenarios.InsertRange(0, Scenario.Names.Where(n => !o.Scenarios.Contains(n)));
        }

        foreach (var name in o.Scenarios)
        {
            if (!Scenario.Names.Contains(name))
            {
                throw new ArgumentException($"unknown scenario '{name}' (known: {string.Join(", ", Scenario.Names)}, all)");
            }
        }

        if (o.IsolationRepeat is < 1 or > Isolation.MaxRounds)
        {
            throw new ArgumentException($"--isolation-repeat must be 1 to {Isolation.MaxRounds}");
        }

        // Isolation runs as phases on fresh silos, one after the other: the reference without a bad endpoint (the
        // others are compared with it) and one phase per bad-endpoint variant, --isolation-repeat rounds of them.
        var isolationAt = o.Scenarios.IndexOf(Isolation.ScenarioName);
        if (isolationAt >= 0)
        {
            o.Scenarios.RemoveAll(n => n == Isolation.ScenarioName);
            o.Scenarios.InsertRange(Math.Min(isolationAt, o.Scenarios.Count), Isolation.Phases(o.IsolationVariants, o.IsolationRepeat));
        }
        else if (o.IsolationBad.Count > 0 || o.IsolationRepeat != 1)
        {
            throw new ArgumentException("--isolation-bad and --isolation-repeat need --scenario isolation (or all)");
        }

        // Steady needs a rate: the measured fan-out maximum, so fan-out runs first and steady right after it
        // (on the same warm silo).
        if (o.Scenarios.Contains("steady") && o.Scenarios.Contains("fanout"))
        {
            o.Scenarios.Remove("fanout");
            o.Scenarios.Remove("steady");
            o.Scenarios.InsertRange(0, ["fanout", "steady"]);
        }
        else if (o.Scenarios.Contains("steady") && o.Rate is null)
        {
            throw new ArgumentException("--scenario steady needs --rate N, or fanout in the same run (then it runs at half the fan-out maximum)");
        }

        if (o.Events <= 0 || o.Publishers <= 0 || o.Batch <= 0 || o.DurationSeconds <= 0 || o.BodyBytes < 64)
        {
            throw new ArgumentException("--events, --publishers, --batch and --duration must be positive, --body-bytes at least 64");
        }

        if (o.Mode is not ("memory" or "postgres"))
        {
            throw new ArgumentException("--mode must be memory or postgres");
        }

        if (!o.IsPostgres && (o.Postgres is not null || o.KeepDatabase))
        {
            throw new ArgumentException("--postgres and --keep-db need --mode postgres");
        }

        if (o.Verify is not ("none" or "sample" or "all"))
        {
            throw new ArgumentException("--verify must be none, sample or all");
        }

        return o;
    }

    /// <summary>Small and strict: every signature checked. Explicit options given on the command line still win.</summary>
    private void ApplySmokeDefaults(string[] args)
    {
        bool Given(string name) => args.Contains(name);
        if (!Given("--events"))
        {
            Events = 1000;
        }

        if (!Given("--webhooks"))
        {
            Webhooks = 3;
        }

        if (!Given("--endpoints"))
        {
            Endpoints = 3;
        }

        if (!Given("--max-in-flight"))
        {
            MaxInFlight = 2;
        }

        if (!Given("--scenario") && !Given("--scenarios"))
        {
            Scenarios.AddRange(["fanout", "steady"]);
        }

        if (!Given("--rate"))
        {
            Rate = 300;
        }

        if (!Given("--duration"))
        {
            DurationSeconds = 2;
        }

        if (!Given("--warmup"))
        {
            Warmup = 100;
        }

        if (!Given("--verify"))
        {
            Verify = "all";
        }

        if (!Given("--timeout"))
        {
            TimeoutSeconds = 60;
        }

        if (!Given("--stall"))
        {
            StallSeconds = 20;
        }
    }

    /// <summary>The scenarios to run, in order; steady's rate is filled in later when it comes from fan-out.</summary>
    public Scenario Build(string name, double? measuredFanOutEventsPerSecond)
    {
        var maxInFlight = name == "single-endpoint" ? SingleMaxInFlight : MaxInFlight;
        if (name != "steady")
        {
            return Scenario.Create(name, Events, Webhooks, Endpoints, maxInFlight, 0);
        }

        var rate = Rate ?? (measuredFanOutEventsPerSecond / 2)
            ?? throw new InvalidOperationException("no rate for the steady scenario");
        var events = (int)Math.Max(1, Math.Round(rate * DurationSeconds));
        return Scenario.Create(name, events, Webhooks, Endpoints, maxInFlight, rate);
    }
}
