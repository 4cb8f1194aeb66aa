using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Webhooks.Api.V1;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The real service, src/Silo's build for this test assembly's configuration, run by `dotnet` as a separate
/// OS process in durable mode (Storage:Provider=postgres) on free loopback ports, with its gRPC gateway reached
/// through <see cref="GrpcChannel"/>. Its stdout and stderr go to <see cref="LogPath"/>. <see cref="Kill"/> is
/// SIGKILL (kill -9): no shutdown, no flush. Every process still running is killed on dispose and when the test
/// process exits.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, SiloProcess> Live = new();
    private static readonly HashSet<int> PortsHandedOut = [];
    private static int _exitHookInstalled;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();

    private SiloProcess(string name, Process process, StreamWriter log, string logPath, int siloPort, int gatewayPort, string grpcUrl)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        GrpcUrl = grpcUrl;
        Channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
        });
        Events = new Api.V1.Events.EventsClient(Channel);
        Endpoints = new Api.V1.Endpoints.EndpointsClient(Channel);
        Webhooks = new Api.V1.Webhooks.WebhooksClient(Channel);
    }

    public string Name { get; }

    public string LogPath { get; }

    /// <summary>Silo-to-silo port: with 127.0.0.1, how the silo appears in the membership table.</summary>
    public int SiloPort { get; }

    /// <summary>Orleans client gateway port.</summary>
    public int GatewayPort { get; }

    public string GrpcUrl { get; }

    public GrpcChannel Channel { get; }

    public Api.V1.Events.EventsClient Events { get; }

    public Api.V1.Endpoints.EndpointsClient Endpoints { get; }

    public Api.V1.Webhooks.WebhooksClient Webhooks { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public bool Killed { get; private set; }

    /// <summary>src/Silo/bin/&lt;this assembly's configuration&gt;/net10.0/Webhooks.Silo.dll; the test project's
    /// ProjectReference to src/Silo builds it.</summary>
    public static string SiloDll
    {
        get
        {
            var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var dll = Path.Combine(RepoRoot(), "src", "Silo", "bin", configuration, "net10.0", "Webhooks.Silo.dll");
            return File.Exists(dll)
                ? dll
                : throw new FileNotFoundException($"The silo build for configuration {configuration} is missing: {dll} (build tests/Webhooks.Tests, which builds src/Silo, with -c {configuration}).", dll);
        }
    }

    /// <summary>Starts one silo of cluster <paramref name="clusterId"/> on the database; returns at once (see
    /// <see cref="WaitReadyAsync"/>).</summary>
    public static SiloProcess Start(string name, string clusterId, string connectionString, string logDirectory)
    {
        InstallExitHook();
        var dll = SiloDll;
        var ports = FreePorts(4);
        var grpcUrl = $"http://127.0.0.1:{ports[2]}";
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var argument in new[]
        {
            dll,
            "--Storage:Provider=postgres",
            $"--ConnectionStrings:Postgres={connectionString}",
            $"--Orleans:ClusterId={clusterId}",
            $"--Orleans:ServiceId={clusterId}",
            $"--Orleans:SiloPort={ports[0]}",
            $"--Orleans:GatewayPort={ports[1]}",
            $"--Gateway:GrpcUrl={grpcUrl}",
            $"--Gateway:HttpUrl=http://127.0.0.1:{ports[3]}",
            // Joins, suspicions and deaths in the log, to read next to the test's own timeline.
            "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
        })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Three silos, the test and its receiver share the machine: one GC heap each.
        info.Environment["DOTNET_gcServer"] = "0";

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"silo-{name}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        log.WriteLine($"$ dotnet {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info };
        var silo = new SiloProcess(name, process, log, logPath, ports[0], ports[1], grpcUrl);
        process.OutputDataReceived += (_, e) => silo.Write(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Write(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start silo {name}");
        }

        Live[process.Id] = silo;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Polls the gRPC API until it answers; fails with the log's tail when the process exits or
    /// <paramref name="timeout"/> passes first.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"silo {Name} exited with code {_process.ExitCode} while starting:\n{Tail(30)}\n(log: {LogPath})");
            }

            try
            {
                await Endpoints.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1 }, deadline: DateTime.UtcNow.AddSeconds(5));
                return;
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode} {ex.Status.Detail}";
            }
        }
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync());

        throw new TimeoutException($"silo {Name} did not answer within {timeout.TotalSeconds:0} s (last: {last}):\n{Tail(30)}\n(log: {LogPath})");
    }

    /// <summary>SIGKILL, like `kill -9`: the process gets no chance to flush, deregister or hand anything over.</summary>
    public void Kill()
    {
        Killed = true;
        Write($"### test: kill -9 (pid {Pid})");
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Waits for the process to be gone after <see cref="Kill"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
    }

    public string Tail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    public async ValueTask DisposeAsync()
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
            // Already exited.
        }

        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed; its output pipes did not close in time.
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Live.TryRemove(new KeyValuePair<int, SiloProcess>(_process.Id, this));
        Channel.Dispose();
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
                // UTC wall clock, to line up with the test's timeline.
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
            }
            catch (ObjectDisposedException)
            {
                // Output after dispose.
            }
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")) && Directory.Exists(Path.Combine(dir.FullName, "src", "Silo")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Orleans.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Distinct free loopback ports, never one handed out before in this test process (a silo that has not
    /// bound its ports yet must not get them twice).</summary>
    private static int[] FreePorts(int count)
    {
        lock (PortsHandedOut)
        {
            var listeners = new List<TcpListener>();
            try
            {
                var ports = new List<int>();
                while (ports.Count < count)
                {
                    var listener = new TcpListener(IPAddress.Loopback, 0);
                    listener.Start();
                    listeners.Add(listener);
                    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                    if (PortsHandedOut.Add(port))
                    {
                        ports.Add(port);
                    }
                }

                return [.. ports];
            }
            finally
            {
                foreach (var listener in listeners)
                {
                    listener.Stop();
                }
            }
        }
    }

    private static void InstallExitHook()
    {
        if (Interlocked.Exchange(ref _exitHookInstalled, 1) == 0)
        {
            // The test host going away (a crash, an aborted run) must not leave silos running.
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var silo in Live.Values)
                {
                    try
                    {
                        silo._process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        // Already gone.
                    }
                }
            };
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"silo {Name} (pid {Pid}, silo port {SiloPort}, gRPC {GrpcUrl})");
}
