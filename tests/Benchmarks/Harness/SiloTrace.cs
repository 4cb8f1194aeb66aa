using System.Globalization;
using Webhooks.ProcessHarness;

namespace Webhooks.Benchmarks.Harness;

/// <summary>A profiler attached to the silo for the measured phase only: dotnet-trace (--trace DIR) and/or
/// Linux perf (--perf DIR).</summary>
public sealed class SiloTrace : IAsyncDisposable
{
    private readonly ChildProcess _tool;
    private readonly bool _perf;

    private SiloTrace(ChildProcess tool, string output, bool perf = false)
    {
        _tool = tool;
        Output = output;
        _perf = perf;
    }

    public string Output { get; }

    public static async Task<SiloTrace?> StartAsync(Layout layout, HarnessOptions options, int pid, string name)
    {
        if (options.TraceDirectory is null)
        {
            return null;
        }

        var tool = FindTool();
        if (tool is null)
        {
            Console.WriteLine("   --trace: dotnet-trace not found (dotnet tool install -g dotnet-trace); not tracing");
            return null;
        }

        Directory.CreateDirectory(options.TraceDirectory);
        var output = Path.GetFullPath(Path.Combine(options.TraceDirectory, name + ".nettrace"));
        var process = ChildProcess.Start("dotnet-trace", tool,
            ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--profile", options.TraceProfile, "-o", output],
            layout.Log("trace-" + name), keepStdinOpen: true);
        var trace = new SiloTrace(process, output);
        // The session is live once the tool says so; poll its log with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (DateTime.UtcNow < deadline && !process.HasExited && !process.Tail(20).Contains("Process", StringComparison.Ordinal))
        {
            await poll.WaitForNextTickAsync();
        }

        Console.WriteLine($"   tracing the silo into {output}");
        return trace;
    }

    public static async Task<SiloTrace?> StartPerfAsync(Layout layout, HarnessOptions options, int pid, string name)
    {
        if (options.PerfDirectory is null)
        {
            return null;
        }

        Directory.CreateDirectory(options.PerfDirectory);
        var output = Path.GetFullPath(Path.Combine(options.PerfDirectory, name + ".perf.data"));
        var process = ChildProcess.Start("perf", "perf",
            ["record", "-F", "999", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", output],
            layout.Log("perf-" + name));
        // perf prints nothing until it stops; give it a moment to attach, bounded by the process staying alive.
        await process.WaitForExitAsync(TimeSpan.FromMilliseconds(500));
        if (process.HasExited)
        {
            Console.WriteLine($"   --perf: perf exited at once:\n{process.Tail(10)}");
            await process.DisposeAsync();
            return null;
        }

        Console.WriteLine($"   perf-sampling the silo into {output}");
        return new SiloTrace(process, output, perf: true);
    }

    /// <summary>Ends the session (SIGINT) and waits for the file to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        // SIGINT: both tools then stop the session and finish writing the file (false: the tool already left).
        _tool.Interrupt();
        if (!await _tool.WaitForExitAsync(TimeSpan.FromSeconds(120)))
        {
            Console.WriteLine($"   {(_perf ? "perf" : "dotnet-trace")} did not stop within 2 minutes; see {_tool.LogPath}");
        }

        await _tool.DisposeAsync();
    }

    private static string? FindTool()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new List<string> { Path.Combine(home, ".dotnet", "tools", "dotnet-trace") };
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "dotnet-trace")));
        return candidates.FirstOrDefault(File.Exists);
    }
}
