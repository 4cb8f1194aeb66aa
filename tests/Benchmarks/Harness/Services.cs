using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Webhooks.Benchmarks.Receiver;
using Webhooks.ProcessHarness;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Benchmarks.Harness;

/// <summary>Where things are: the repository, the silo build, the log directory.</summary>
public sealed class Layout
{
    public required string RepoRoot { get; init; }
    public required string Configuration { get; init; }
    public required string LogDirectory { get; init; }
    public required string SiloDll { get; set; }

    /// <summary>This assembly's location; run as a child process for the receiver.</summary>
    public static string SelfDll => typeof(Layout).Assembly.Location;

    public static Layout Resolve(HarnessOptions options)
    {
        var root = FindRepoRoot(AppContext.BaseDirectory) ?? FindRepoRoot(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("cannot find the repository (a directory with Orleans.sln) above " + AppContext.BaseDirectory);
        var configuration = options.Configuration
            ?? typeof(Layout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? "Release";
        var logs = options.LogDirectory ?? Path.Combine(Path.GetTempPath(), "webhooks-bench-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(logs);
        return new Layout
        {
            RepoRoot = root,
            Configuration = configuration,
            LogDirectory = logs,
            SiloDll = options.SiloDll ?? Path.Combine(root, "src", "Silo", "bin", configuration, "net10.0", "Webhooks.Silo.dll"),
        };
    }

    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")) && Directory.Exists(Path.Combine(dir.FullName, "src", "Silo")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    public string Log(string name) => Path.Combine(LogDirectory, name + ".log");

    public static string GitCommit(string repoRoot) => Git(repoRoot, "rev-parse", "--short", "HEAD") ?? "unknown";

    /// <summary>Files under src/ that differ from the commit: the silo was built from them, not from the commit alone.</summary>
    public static string[] UncommittedSourceFiles(string repoRoot) =>
        (Git(repoRoot, "status", "--porcelain", "--", "src", "protos") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Git(string repoRoot, params string[] args)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", repoRoot, .. args])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

/// <summary>The service under test: src/Silo's dll run by `dotnet`, with its gRPC API on a free port.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(ChildProcess process, GrpcChannel channel, string grpcUrl)
    {
        Process = process;
        Channel = channel;
        GrpcUrl = grpcUrl;
        Events = new Proto.Events.EventsClient(channel);
        Endpoints = new Proto.Endpoints.EndpointsClient(channel);
        Webhooks = new Proto.Webhooks.WebhooksClient(channel);
    }

    public ChildProcess Process { get; }
    public GrpcChannel Channel { get; }
    public string GrpcUrl { get; }
    public Proto.Events.EventsClient Events { get; }
    public Proto.Endpoints.EndpointsClient Endpoints { get; }
    public Proto.Webhooks.WebhooksClient Webhooks { get; }
    /// <summary>Postgres mode: the silo's own database; null in memory mode.</summary>
    public string? Database { get; private init; }

    public static async Task BuildAsync(Layout layout, CancellationToken cancellationToken)
    {
        var project = Path.Combine(layout.RepoRoot, "src", "Silo", "Silo.csproj");
        Console.WriteLine($"Building {project} ({layout.Configuration}) ...");
        await ChildProcess.RunToCompletionAsync("build", "dotnet",
            ["build", project, "-c", layout.Configuration, "--nologo", "-v:q", "--disable-build-servers", "-nodeReuse:false"],
            layout.Log("build-silo"), layout.RepoRoot, TimeSpan.FromMinutes(10), cancellationToken);
    }

    /// <param name="postgresConnectionString">Postgres mode: the silo's own (fresh) database; null in memory mode.</param>
    public static async Task<SiloProcess> StartAsync(Layout layout, HarnessOptions options, string name, string? postgresConnectionString, CancellationToken cancellationToken)
    {
        if (!File.Exists(layout.SiloDll))
        {
            throw new FileNotFoundException($"silo build not found at {layout.SiloDll} (build src/Silo, or pass --silo-dll)");
        }

        var ports = LoopbackPorts.Free(4);
        var grpcUrl = $"http://127.0.0.1:{ports[0]}";
        List<string> args =
        [
            layout.SiloDll,
            $"--Gateway:GrpcUrl={grpcUrl}",
            $"--Gateway:HttpUrl=http://127.0.0.1:{ports[1]}",
            $"--Orleans:SiloPort={ports[2]}",
            $"--Orleans:GatewayPort={ports[3]}",
            $"--Storage:Provider={options.Mode}",
        ];
        if (postgresConnectionString is not null)
        {
            // The silo applies the schema to the empty database at start-up (Storage:ApplySchemaOnStart).
            args.Add($"--ConnectionStrings:Postgres={postgresConnectionString}");
            // Each run has a fresh database, so a fresh key does.
            args.Add($"--Secrets:Key={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}");
        }

        args.AddRange(options.SiloArgs.Select(a => a.StartsWith("--", StringComparison.Ordinal) ? a : "--" + a));

        var process = ChildProcess.Start("silo", "dotnet", args, layout.Log("silo-" + name),
            workingDirectory: Path.GetDirectoryName(layout.SiloDll),
            environment: SiloEnvironment(options));
        var channel = GrpcChannel.ForAddress(grpcUrl, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
        var silo = new SiloProcess(process, channel, grpcUrl) { Database = postgresConnectionString };
        try
        {
            await silo.WaitReadyAsync(TimeSpan.FromSeconds(90), cancellationToken);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    private static Dictionary<string, string> SiloEnvironment(HarnessOptions options)
    {
        var environment = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        if (options.PerfDirectory is not null)
        {
            // /tmp/perf-<pid>.map: names for JIT-compiled code in perf's reports.
            environment["DOTNET_PerfMapEnabled"] = "3";
            // Without this, JIT code lives in a memfd double mapping that perf does not match to the map file.
            environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        foreach (var assignment in options.SiloEnvironment)
        {
            var split = assignment.IndexOf('=', StringComparison.Ordinal);
            environment[assignment[..split]] = assignment[(split + 1)..];
        }

        return environment;
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        RpcException? last = null;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        do
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the silo exited with code {Process.ExitCode} while starting:\n{Process.Tail(40)}\n(log: {Process.LogPath})");
            }

            try
            {
                await Endpoints.ListEndpointsAsync(new Proto.ListEndpointsRequest { PageSize = 1 },
                    deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
            {
                last = ex;
            }
        }
        while (Stopwatch.GetTimestamp() < deadline && await poll.WaitForNextTickAsync(cancellationToken));

        throw new TimeoutException($"the silo did not answer within {timeout.TotalSeconds:0} s ({last?.Status.Detail}):\n{Process.Tail(40)}\n(log: {Process.LogPath})");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Process.DisposeAsync();
    }
}

/// <summary>The receiver child process (this executable in `receiver` mode) and its control API.</summary>
public sealed class ReceiverProcess : IAsyncDisposable
{
    private readonly HttpClient _control;

    private ReceiverProcess(ChildProcess process, int port)
    {
        Process = process;
        Port = port;
        _control = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public ChildProcess Process { get; }
    public int Port { get; }

    public static async Task<ReceiverProcess> StartAsync(Layout layout, string verify, CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free(1)[0];
        var process = ChildProcess.Start("receiver", "dotnet",
            [Layout.SelfDll, "receiver", "--port", port.ToString(CultureInfo.InvariantCulture), "--verify", verify],
            layout.Log("receiver"), keepStdinOpen: true);
        var receiver = new ReceiverProcess(process, port);
        try
        {
            var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the receiver exited with code {process.ExitCode}:\n{process.Tail(20)}");
                }

                try
                {
                    await receiver.StatsAsync(cancellationToken);
                    return receiver;
                }
                catch (HttpRequestException) when (Stopwatch.GetTimestamp() < deadline)
                {
                    await poll.WaitForNextTickAsync(cancellationToken);
                }
            }
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    public async Task<ReceiverStats> StatsAsync(CancellationToken cancellationToken) =>
        await _control.GetFromJsonAsync<ReceiverStats>("/stats", cancellationToken) ?? throw new InvalidOperationException("empty stats");

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        using var response = await _control.PostAsync("/reset", null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task<Arrival[]> ArrivalsAsync(CancellationToken cancellationToken)
    {
        using var response = await _control.GetAsync("/arrivals", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await ArrivalLog.ReadFrom(stream, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await Process.DisposeAsync();
    }
}

/// <param name="BadArrivals">Requests that reached the isolation scenario's timing-out endpoint (/slow/…); never
/// part of <paramref name="Arrivals"/>.</param>
public sealed record ReceiverStats(long Arrivals, long Requests, long Malformed, long Verified, long BadSignatures, long BadArrivals);
