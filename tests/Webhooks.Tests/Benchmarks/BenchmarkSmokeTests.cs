using System.Reflection;
using System.Text.Json;
using Webhooks.ProcessHarness;
using Xunit.Abstractions;

namespace Webhooks.Tests.Benchmarks;

/// <summary>Runs the end-to-end benchmark (tests/Benchmarks) in its smoke mode as a child process: the real silo,
/// a receiver, publishing through gRPC and the plain-HttpClient baseline, a few thousand deliveries. Asserts
/// that every delivery arrived exactly once and that the JSON result is well formed; never asserts timing.</summary>
public sealed class BenchmarkSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task SmokeRun_MemoryMode_DeliversEveryEventExactlyOnce()
    {
        var root = RepoRoot();
        var configuration = typeof(BenchmarkSmokeTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(root, "tests", "Benchmarks", "bin", configuration, "net10.0", "Webhooks.Benchmarks.dll");
        if (!File.Exists(dll))
        {
            var project = Path.Combine(root, "tests", "Benchmarks", "Benchmarks.csproj");
            var (buildExit, buildLog) = await RunAsync(root, BuildTimeout,
                "build", project, "-c", configuration, "--nologo", "-v:q", "--disable-build-servers", "-nodeReuse:false");
            Assert.True(buildExit == 0, $"building the benchmarks failed:\n{buildLog}");
        }

        var resultPath = Path.Combine(Path.GetTempPath(), $"webhooks-bench-smoke-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, log) = await RunAsync(root, RunTimeout, dll, "--smoke", "--configuration", configuration, "--out", resultPath);
            output.WriteLine(log);
            Assert.True(File.Exists(resultPath), $"the smoke run wrote no result (exit code {exit})");

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(resultPath));
            var results = document.RootElement;
            Assert.Equal("webhooks-bench/1", results.GetProperty("schema").GetString());
            Assert.Empty(results.GetProperty("errors").EnumerateArray());
            Assert.True(results.GetProperty("success").GetBoolean());
            Assert.Equal(0, exit);
            Assert.False(string.IsNullOrEmpty(results.GetProperty("commit").GetString()));
            Assert.Equal(JsonValueKind.Number, results.GetProperty("machine").GetProperty("processors").ValueKind);

            var scenarios = results.GetProperty("scenarios").EnumerateArray().ToList();
            Assert.NotEmpty(scenarios);
            foreach (var scenario in scenarios)
            {
                var name = scenario.GetProperty("name").GetString();
                var expected = scenario.GetProperty("expectedDeliveries").GetInt64();
                Assert.True(expected > 0, $"{name}: no deliveries expected");

                var pipeline = scenario.GetProperty("pipeline");
                Assert.True(pipeline.GetProperty("completed").GetBoolean(), $"{name}: pipeline did not complete");
                Assert.Equal(expected, pipeline.GetProperty("delivered").GetInt64());
                Assert.Equal(0, pipeline.GetProperty("lost").GetInt64());
                Assert.Equal(0, pipeline.GetProperty("duplicated").GetInt64());
                Assert.Equal(0, pipeline.GetProperty("unexpected").GetInt64());
                Assert.Equal(0, pipeline.GetProperty("misrouted").GetInt64());
                Assert.Equal(0, pipeline.GetProperty("publishErrors").GetInt64());
                // Smoke mode has the receiver check every X-Hook-Signature.
                Assert.True(pipeline.GetProperty("signaturesVerified").GetInt64() >= expected, $"{name}: not every signature was checked");
                Assert.Equal(0, pipeline.GetProperty("badSignatures").GetInt64());
                foreach (var number in new[] { "deliveriesPerSecond", "eventsPerSecond", "siloCpuSecondsPer1000Deliveries", "siloPeakWorkingSetBytes" })
                {
                    Assert.Equal(JsonValueKind.Number, pipeline.GetProperty(number).ValueKind);
                }

                foreach (var percentile in new[] { "p50Ms", "p95Ms", "p99Ms", "maxMs" })
                {
                    Assert.Equal(JsonValueKind.Number, pipeline.GetProperty("latencyMs").GetProperty(percentile).ValueKind);
                }

                if (scenario.GetProperty("baseline") is { ValueKind: JsonValueKind.Object } baseline)
                {
                    Assert.True(baseline.GetProperty("completed").GetBoolean(), $"{name}: baseline did not complete");
                    Assert.Equal(expected, baseline.GetProperty("requests").GetInt64());
                    Assert.Equal(expected, baseline.GetProperty("delivered").GetInt64());
                    Assert.Equal(0, baseline.GetProperty("duplicated").GetInt64());
                    Assert.Equal(0, baseline.GetProperty("errors").GetInt64());
                    Assert.Equal(0, baseline.GetProperty("badSignatures").GetInt64());
                    Assert.Equal(JsonValueKind.Number, scenario.GetProperty("ratio").ValueKind);
                }
            }

            Assert.Contains(scenarios, s => s.GetProperty("kind").GetString() == "throughput" && s.GetProperty("baseline").ValueKind == JsonValueKind.Object);
            Assert.Contains(scenarios, s => s.GetProperty("kind").GetString() == "steady");
            Assert.Equal(2, results.GetProperty("targets").GetArrayLength());
        }
        finally
        {
            File.Delete(resultPath);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Orleans.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs `dotnet args…` as a <see cref="ChildProcess"/> (killed with its tree on timeout, and when the
    /// test host exits), returning its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var logPath = Path.Combine(Path.GetTempPath(), $"webhooks-bench-smoke-{Guid.NewGuid():N}.log");
        try
        {
            await using var run = ChildProcess.Start("dotnet", "dotnet", args, logPath, workingDirectory);
            if (!await run.WaitForExitAsync(timeout))
            {
                run.Kill();
                await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.Fail($"`dotnet {string.Join(' ', args)}` did not finish within {timeout.TotalMinutes:0} min:\n{run.ReadLog()}");
            }

            return (run.ExitCode ?? -1, run.ReadLog());
        }
        finally
        {
            // The output is returned (and reported by the caller); the file was only its buffer.
            File.Delete(logPath);
        }
    }
}
