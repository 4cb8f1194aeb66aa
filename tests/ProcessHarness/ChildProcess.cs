using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Webhooks.ProcessHarness;

/// <summary>A process a harness started. Its stdout and stderr go to a log file, and it never outlives the harness:
/// a process-wide registry kills every child still running, with its process tree, on dispose, Ctrl+C, SIGTERM,
/// SIGHUP, an unhandled exception and process exit (a benchmark run or a test host that is aborted or crashes must
/// not leave silos behind). <see cref="Kill"/> (SIGKILL) and <see cref="Terminate"/> (SIGTERM) reach the started
/// process itself, so start the real program (`dotnet app.dll`), never a wrapper such as `dotnet run` that would
/// take the signal in its place.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    // How long dispose waits, after the kill, for the output pipes to close (and with them the last log lines).
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(15);

    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();

    // Held for the life of the process: a PosixSignalRegistration that is garbage-collected unregisters its handler.
    private static readonly List<PosixSignalRegistration> SignalHandlers = [];
    private static int _hooksInstalled;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly bool _timestampLines;
    private volatile bool _killed;

    private ChildProcess(string name, Process process, StreamWriter log, string logPath, bool timestampLines)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        _timestampLines = timestampLines;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>True once <see cref="Kill"/> was called (directly, through <see cref="KillAll"/> or as the last resort
    /// of <see cref="StopAsync"/>); the kill that dispose does is not counted.</summary>
    public bool Killed => _killed;

    /// <summary>Kills every child still running; safe to call from signal handlers and more than once.</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            child.Kill();
        }
    }

    /// <summary>Starts <paramref name="fileName"/>; returns at once.</summary>
    /// <param name="logPath">Receives a `$ command line` header, then every line of stdout and stderr; its directory
    /// is created.</param>
    /// <param name="keepStdinOpen">For <see cref="WriteLineAsync"/>; otherwise the child gets no standard input.</param>
    /// <param name="timestampLines">Prefixes each logged line with the UTC wall-clock time it arrived, to read the
    /// log next to a test's own timeline.</param>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, bool keepStdinOpen = false,
        bool timestampLines = false)
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

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"$ {fileName} {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log, logPath, timestampLines);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        if (!process.Start())
        {
            log.Dispose();
            process.Dispose();
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

    /// <summary>Waits for the child to exit and its output to be logged; false when <paramref name="timeout"/>
    /// passed first.</summary>
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

    /// <summary>The whole log so far.</summary>
    public string ReadLog()
    {
        lock (_logLock)
        {
            try
            {
                _log.Flush();
            }
            catch (ObjectDisposedException)
            {
                // Disposed: everything is on disk already.
            }
        }

        try
        {
            // The child's output may still be arriving: share the file with the writer.
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    public string Tail(int lines) => string.Join('\n', ReadLog().Split('\n').TakeLast(lines));

    /// <summary>SIGKILL (kill -9) to the process and its descendants: no chance to flush, deregister or hand anything
    /// over. Sets <see cref="Killed"/> and notes the kill in the log.</summary>
    public void Kill()
    {
        _killed = true;
        if (!_process.HasExited)
        {
            Write($"### kill -9 (pid {Pid})");
            KillTree();
        }
    }

    /// <summary>SIGTERM to the process (not its descendants), like a service manager's stop: the program may shut down
    /// cleanly. Returns at once, false when the process had already exited. Not on Windows, which has no signals.</summary>
    public bool Terminate() => Signal(PosixSignalNumbers.Terminate, "kill -TERM");

    /// <summary>SIGINT, like Ctrl+C in the child's terminal (tracing tools stop their session and write their file);
    /// false when the process had already exited.</summary>
    public bool Interrupt() => Signal(PosixSignalNumbers.Interrupt, "kill -INT");

    /// <summary>A graceful stop: SIGTERM, then up to <paramref name="timeout"/> for the process to exit by itself,
    /// then SIGKILL (see <see cref="Kill"/>) if it has not. True when it exited without the SIGKILL.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        Terminate();
        if (await WaitForExitAsync(timeout))
        {
            return true;
        }

        Kill();
        await WaitForExitAsync(ExitWait);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        KillTree();
        try
        {
            using var wait = new CancellationTokenSource(ExitWait);
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Gave up waiting for the output pipes to close; the process itself was killed.
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

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (pid {Pid})");

    private void KillTree()
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
        catch (Win32Exception)
        {
            // Exiting as we speak.
        }
    }

    private bool Signal(int signal, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException($"{what}: Windows has no POSIX signals");
        }

        // Process.Kill only ever sends SIGKILL, so other signals go through libc. The process could exit and be reaped
        // between this check and the signal, and its pid be reused; pids are not recycled that fast.
        if (_process.HasExited)
        {
            return false;
        }

        Write($"### {what} (pid {Pid})");
        return NativeMethods.kill(_process.Id, signal) == 0;
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
                _log.WriteLine(_timestampLines ? string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}") : line);
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
            // The handlers do not cancel the signal: the default action (the runtime's shutdown) follows.
            lock (SignalHandlers)
            {
                SignalHandlers.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll()));
                SignalHandlers.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => KillAll()));
            }
        }
    }

    /// <summary>Signal numbers as kill(2) takes them: the same on Linux and macOS (<see cref="PosixSignal"/>'s values
    /// are the runtime's own, not these).</summary>
    private static class PosixSignalNumbers
    {
        public const int Interrupt = 2;
        public const int Terminate = 15;
    }

    private static class NativeMethods
    {
        // "libc" is mapped by the runtime to the C library actually loaded (libc.so.6 on glibc).
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA5392, SYSLIB1054, IDE1006
        public static extern int kill(int pid, int sig);
#pragma warning restore CA5392, SYSLIB1054, IDE1006
    }
}
