using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Webhooks.Benchmarks.Harness;

/// <summary>A process the harness started: output goes to a log file, and it is killed with its whole tree on
/// every exit path (dispose, Ctrl+C, SIGTERM, unhandled exception) through a process-wide registry.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();
    private static int _hooksInstalled;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();

    private ChildProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Kills every child still running; safe to call from signal handlers and more than once.</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Kill();
        }
    }

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, bool keepStdinOpen = false)
    {
        InstallExitHooks();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = keepStdinOpen,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"$ {fileName} {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {name}");
        }

        Live[process.Id] = child;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a command to completion (output to the log), failing on a non-zero exit code.</summary>
    public static async Task RunToCompletionAsync(string name, string fileName, IEnumerable<string> arguments, string logPath,
        string? workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var child = Start(name, fileName, arguments, logPath, workingDirectory);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await child._process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{name} did not finish within {timeout.TotalSeconds:0} s; see {logPath}");
        }

        if (child._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed with exit code {child._process.ExitCode}:\n{child.Tail(30)}\n(full log: {logPath})");
        }
    }

    /// <summary>Writes a line to the child's standard input (started with keepStdinOpen).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the child to exit by itself; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>CPU time (user + system) and memory of the process from /proc; zeros where unavailable.</summary>
    public ProcessSample Sample() => ProcessSample.Read(_process.Id);

    /// <summary>Resets VmHWM to the current resident size (Linux: "5" into /proc/{pid}/clear_refs).</summary>
    public bool ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public string Tail(int lines)
    {
        lock (_logLock)
        {
            _log.Flush();
        }

        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting as we speak.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Gave up waiting for the output to close; the process itself was killed.
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Live.TryRemove(new KeyValuePair<int, ChildProcess>(_process.Id, this));
        lock (_logLock)
        {
            _log.Dispose();
        }

        _process.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after dispose.
            }
        }
    }

    private static void InstallExitHooks()
    {
        if (Interlocked.Exchange(ref _hooksInstalled, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
        if (!OperatingSystem.IsWindows())
        {
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll());
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => KillAll());
        }
    }
}

/// <summary>CPU seconds the whole machine has been busy (all cores, /proc/stat): with the per-process readings,
/// tells how much CPU other processes took during a measurement.</summary>
public static class SystemCpu
{
    /// <summary>CPU seconds the hypervisor gave to others while this machine had work (/proc/stat "steal"): part of
    /// <see cref="BusySeconds"/>, and a sign of a noisy neighbour on the host.</summary>
    public static double StealSeconds() => CpuLineSeconds(8);

    // cpu user nice system idle iowait irq softirq steal ...
    public static double BusySeconds() => CpuLineSeconds(1, 2, 3, 6, 7, 8);

    /// <summary>The sum of the given columns of /proc/stat's "cpu" line, in seconds; 0 when it cannot be read.</summary>
    private static double CpuLineSeconds(params int[] columns)
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long ticks = 0;
            foreach (var i in columns)
            {
                ticks += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return (double)ticks / ProcessSample.ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>CPU ticks used so far by each process whose command name is <paramref name="command"/> (PostgreSQL:
    /// the postmaster, its background processes and backends), by pid; empty when /proc cannot be read.</summary>
    public static Dictionary<int, long> ProcessTicks(string command)
    {
        var ticks = new Dictionary<int, long>();
        try
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    var open = stat.IndexOf('(', StringComparison.Ordinal);
                    var close = stat.LastIndexOf(')');
                    if (open < 0 || close < open || !stat.AsSpan(open + 1, close - open - 1).SequenceEqual(command))
                    {
                        continue;
                    }

                    ticks[pid] = ProcessSample.CpuTicks(stat);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
                {
                    // The process ended while being read.
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ticks.Clear();
        }

        return ticks;
    }

    /// <summary>CPU seconds the processes of <paramref name="after"/> used since <paramref name="before"/> (all of
    /// it for processes started in between). Processes that ended in between are missed: a pooled database
    /// connection's backend lives as long as the pool keeps it, so that is little.</summary>
    public static double SecondsBetween(Dictionary<int, long> before, Dictionary<int, long> after)
    {
        long ticks = 0;
        foreach (var (pid, used) in after)
        {
            ticks += Math.Max(0, used - before.GetValueOrDefault(pid));
        }

        return (double)ticks / ProcessSample.ClockTicksPerSecond;
    }

    /// <summary>The 1-minute load average, or -1.</summary>
    public static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}

/// <summary>A reading of /proc/{pid}: CPU seconds used so far, peak and current resident memory.</summary>
public readonly record struct ProcessSample(double CpuSeconds, long PeakWorkingSetBytes, long WorkingSetBytes)
{
    internal static readonly long ClockTicksPerSecond = ReadClockTicks();

    public static ProcessSample Read(int pid)
    {
        try
        {
            var ticks = CpuTicks(File.ReadAllText($"/proc/{pid}/stat"));
            long peak = 0, current = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = ParseKb(line);
                }
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    current = ParseKb(line);
                }
            }

            return new ProcessSample((double)ticks / ClockTicksPerSecond, peak, current);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return default;
        }
    }

    /// <summary>utime + stime (fields 14 and 15, counted after the parenthesised command name) of a
    /// /proc/{pid}/stat text, in clock ticks.</summary>
    internal static long CpuTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long ParseKb(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static long ReadClockTicks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }

        const int ScClkTck = 2;
        var value = NativeMethods.sysconf(ScClkTck);
        return value > 0 ? value : 100;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA5392, SYSLIB1054, IDE1006
        public static extern long sysconf(int name);
#pragma warning restore CA5392, SYSLIB1054, IDE1006
    }
}
