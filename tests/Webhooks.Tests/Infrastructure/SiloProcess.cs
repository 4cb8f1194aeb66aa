using System.Globalization;
using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Webhooks.Api.V1;
using Webhooks.ProcessHarness;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The real service, src/Silo's build for this test assembly's configuration, run by `dotnet` as a separate
/// OS process (a <see cref="ChildProcess"/>) in durable mode (Storage:Provider=postgres) on free loopback ports, with
/// its gRPC gateway reached through <see cref="GrpcChannel"/>. Its stdout and stderr go to <see cref="LogPath"/>,
/// each line stamped with the UTC time. <see cref="Kill"/> is SIGKILL (kill -9): no shutdown, no flush; a graceful
/// stop is <c>Process.StopAsync</c>. Every process still running is killed on dispose and when the test process
/// exits.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(string name, ChildProcess process, int siloPort, int gatewayPort, string grpcUrl, string httpUrl)
    {
        Name = name;
        Process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        GrpcUrl = grpcUrl;
        HttpUrl = httpUrl;
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

    /// <summary>The OS process: its log, exit, SIGKILL, SIGTERM and graceful stop.</summary>
    public ChildProcess Process { get; }

    public string LogPath => Process.LogPath;

    /// <summary>Silo-to-silo port: with 127.0.0.1, how the silo appears in the membership table.</summary>
    public int SiloPort { get; }

    /// <summary>Orleans client gateway port.</summary>
    public int GatewayPort { get; }

    public string GrpcUrl { get; }

    /// <summary>The JSON/HTTP listener, which also serves /healthz and /readyz.</summary>
    public string HttpUrl { get; }

    public GrpcChannel Channel { get; }

    public Api.V1.Events.EventsClient Events { get; }

    public Api.V1.Endpoints.EndpointsClient Endpoints { get; }

    public Api.V1.Webhooks.WebhooksClient Webhooks { get; }

    public int Pid => Process.Pid;

    public bool HasExited => Process.HasExited;

    /// <summary>True once the test killed it (<see cref="Kill"/>).</summary>
    public bool Killed => Process.Killed;

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
    /// <param name="connectionString">Passed as ConnectionStrings:Postgres; null to leave it to <paramref name="settings"/>.</param>
    /// <param name="settings">More configuration, as KEY=VALUE (for example Storage:ConnectionStringFile=…).</param>
    public static SiloProcess Start(string name, string clusterId, string? connectionString, string logDirectory, IEnumerable<string>? settings = null)
    {
        var dll = SiloDll;
        var ports = LoopbackPorts.Free(4);
        var grpcUrl = $"http://127.0.0.1:{ports[2]}";
        var httpUrl = $"http://127.0.0.1:{ports[3]}";
        List<string> arguments =
        [
            dll,
            "--Storage:Provider=postgres",
            $"--Secrets:Key={TestSecrets.Key}",
            $"--Orleans:ClusterId={clusterId}",
            $"--Orleans:ServiceId={clusterId}",
            $"--Orleans:SiloPort={ports[0]}",
            $"--Orleans:GatewayPort={ports[1]}",
            $"--Gateway:GrpcUrl={grpcUrl}",
            $"--Gateway:HttpUrl={httpUrl}",
            // Joins, suspicions and deaths in the log, to read next to the test's own timeline.
            "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information",
        ];
        if (connectionString is not null)
        {
            arguments.Add($"--ConnectionStrings:Postgres={connectionString}");
        }

        arguments.AddRange((settings ?? []).Select(setting => $"--{setting}"));
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Three silos, the test and its receiver share the machine: one GC heap each.
            ["DOTNET_gcServer"] = "0",
        };

        // `dotnet Webhooks.Silo.dll` runs the silo in the started process itself, so signals reach the silo.
        var process = ChildProcess.Start($"silo {name}", "dotnet", arguments, Path.Combine(logDirectory, $"silo-{name}.log"),
            workingDirectory: Path.GetDirectoryName(dll), environment: environment, timestampLines: true);
        return new SiloProcess(name, process, ports[0], ports[1], grpcUrl, httpUrl);
    }

    /// <summary>Polls the gRPC API until it answers; fails with the log's tail when the process exits or
    /// <paramref name="timeout"/> passes first.</summary>
    /// <param name="key">An API key that may read, when the silo is configured with keys.</param>
    public async Task WaitReadyAsync(TimeSpan timeout, string? key = null)
    {
        var headers = key is null ? null : new Metadata { { "authorization", $"Bearer {key}" } };
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            if (Process.ExitCode is { } exitCode)
            {
                throw new InvalidOperationException($"silo {Name} exited with code {exitCode} while starting:\n{Tail(30)}\n(log: {LogPath})");
            }

            try
            {
                await Endpoints.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1 }, headers, deadline: DateTime.UtcNow.AddSeconds(5));
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
    public void Kill() => Process.Kill();

    public string Tail(int lines) => Process.Tail(lines);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Channel.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"silo {Name} (pid {Pid}, silo port {SiloPort}, gRPC {GrpcUrl})");

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
}
