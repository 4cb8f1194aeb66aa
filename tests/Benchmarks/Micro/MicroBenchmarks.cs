using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Webhooks.Benchmarks.Micro;

/// <summary>Entry point of `micro`: BenchmarkDotNet over this assembly's [Benchmark] classes.</summary>
/// <remarks>Runs in-process by default (no separate build of a generated project, which on a 2-core box costs
/// more than the measurements); pass --out-of-process for BenchmarkDotNet's default isolated toolchain. Any other
/// arguments are BenchmarkDotNet's own (--filter '*Template*', --job short, ...).</remarks>
public static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var outOfProcess = args.Contains("--out-of-process");
        args = [.. args.Where(a => a != "--out-of-process")];
        if (!args.Contains("--filter") && !args.Contains("--list"))
        {
            args = [.. args, "--filter", "*"];
        }

        IConfig config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
        if (!outOfProcess)
        {
            config = config.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
