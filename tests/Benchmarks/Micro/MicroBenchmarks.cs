using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

namespace Webhooks.Benchmarks.Micro;

/// <summary>Entry point of `micro`: BenchmarkDotNet over this assembly's [Benchmark] classes.</summary>
/// <remarks>Defaults, each replaced by giving the option yourself: --filter '*' (everything), --job short
/// (3 warm-up and 3 measured iterations: enough for µs-scale costs; --job default for tight intervals) and
/// --inProcess (no separately built benchmark project, which on a 2-core box costs more than the
/// measurements; --out-of-process for BenchmarkDotNet's isolated toolchain). Other arguments are
/// BenchmarkDotNet's own.</remarks>
public static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var outOfProcess = args.Contains("--out-of-process");
        var list = args.Where(a => a != "--out-of-process").ToList();
        if (!list.Contains("--filter") && !list.Contains("-f") && !list.Contains("--list"))
        {
            list.AddRange(["--filter", "*"]);
        }

        if (!list.Contains("--job") && !list.Contains("-j"))
        {
            list.AddRange(["--job", "short"]);
        }

        if (!outOfProcess && !list.Contains("--inProcess") && !list.Contains("-i"))
        {
            list.Add("--inProcess");
        }

        var config = DefaultConfig.Instance.AddDiagnoser(MemoryDiagnoser.Default);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run([.. list], config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
