using System.Net;
using System.Text.Json;
using Grpc.Health.V1;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>The real silo process in durable mode: /healthz says the process answers, /readyz and the gRPC health
/// service say whether it should get traffic (joined the cluster, PostgreSQL reachable, not shutting down), and a
/// SIGTERM stops it within its deadline, whether or not PostgreSQL answers. Stops and starts the local PostgreSQL,
/// so it needs root, as CI has.</summary>
[Trait("Category", "Durability")]
public sealed class ReadinessTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-readiness-{Guid.NewGuid():N}");
    private readonly string _clusterId = $"ready-{Guid.NewGuid():N}"[..16];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private PostgresServer.Database _database = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logDirectory);
        _database = await PostgresServer.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await PostgresServer.StartLocalServerAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Readiness_FollowsTheDatabase_AndEndsWithTheProcess_WhileLivenessStays()
    {
        // The connection string from a file, as an operator keeps a password out of the process list.
        var file = Path.Combine(_logDirectory, "connection-string");
        await File.WriteAllTextAsync(file, _database.ConnectionString);
        await using var silo = Start("a", $"Storage:ConnectionStringFile={file}");
        Assert.DoesNotContain(_database.ConnectionString, File.ReadAllText(silo.LogPath).Split('\n')[0], StringComparison.Ordinal);
        var health = new Health.HealthClient(silo.Channel);

        var ready = await ReadinessAsync(silo, HttpStatusCode.OK, "the silo is ready");
        Assert.Equal(["accepting", "cluster", "database"], ready.Checks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(0, await ProbeAsync(silo));

        await PostgresServer.StopLocalServerAsync();
        var down = await ReadinessAsync(silo, HttpStatusCode.ServiceUnavailable, "the silo is not ready while PostgreSQL is down");
        Assert.Equal("Unhealthy", down.Checks["database"]);
        Assert.Equal("Healthy", down.Checks["cluster"]);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{silo.HttpUrl}/healthz")).StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(1, await ProbeAsync(silo));

        await PostgresServer.StartLocalServerAsync();
        await ReadinessAsync(silo, HttpStatusCode.OK, "the silo is ready again once PostgreSQL is back");

        Assert.True(silo.Process.Terminate());
        var stopping = DateTime.UtcNow;
        await Poll.UntilAsync(async () => await StatusAsync(silo) != HttpStatusCode.OK, "the silo stops being ready once it begins shutting down", TimeSpan.FromSeconds(2));
        Assert.True(await silo.Process.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(10)), $"the silo exited within its shutdown timeout:\n{silo.Tail(20)}");
        Assert.True(silo.Process.ExitCode == 0, $"exit code {silo.Process.ExitCode} after SIGTERM, {DateTime.UtcNow - stopping} after it:\n{silo.Tail(20)}");
    }

    [Fact]
    public async Task Sigterm_WhilePostgresIsDown_StillExitsWithinTheShutdownTimeout()
    {
        await using var silo = Start("b", $"ConnectionStrings:Postgres={_database.ConnectionString}");
        await ReadinessAsync(silo, HttpStatusCode.OK, "the silo is ready");

        await PostgresServer.StopLocalServerAsync();
        var stopping = DateTime.UtcNow;
        Assert.True(silo.Process.Terminate());
        Assert.True(await silo.Process.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(10)),
            $"the silo exited within its shutdown timeout ({ShutdownTimeout.TotalSeconds} s) with PostgreSQL down:\n{silo.Tail(30)}");
        var took = DateTime.UtcNow - stopping;
        Assert.True(took < ShutdownTimeout + TimeSpan.FromSeconds(10), $"the stop took {took}");
    }

    /// <summary>The container health check's command: the silo binary asking a running silo's /readyz.</summary>
    private async Task<int?> ProbeAsync(SiloProcess silo)
    {
        await using var probe = ProcessHarness.ChildProcess.Start("probe", "dotnet", [SiloProcess.SiloDll, "--probe-readiness", $"--Gateway:HttpUrl={silo.HttpUrl}"],
            Path.Combine(_logDirectory, $"probe-{Guid.NewGuid():N}.log"), workingDirectory: Path.GetDirectoryName(SiloProcess.SiloDll));
        Assert.True(await probe.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the readiness probe finished");
        return probe.ExitCode;
    }

    private SiloProcess Start(string name, string setting) =>
        SiloProcess.Start(name, _clusterId, null, _logDirectory, [setting, $"Orleans:ShutdownTimeout={ShutdownTimeout:c}"]);

    private async Task<HttpStatusCode?> StatusAsync(SiloProcess silo)
    {
        try
        {
            return (await _http.GetAsync($"{silo.HttpUrl}/readyz")).StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // not listening (starting, or stopped listening while it shuts down)
        }
    }

    private async Task<Readiness> ReadinessAsync(SiloProcess silo, HttpStatusCode wanted, string what)
    {
        Readiness? last = null;
        await Poll.UntilAsync(async () =>
        {
            if (silo.HasExited)
            {
                Assert.Fail($"the silo exited:\n{silo.Tail(30)}");
            }

            try
            {
                using var response = await _http.GetAsync($"{silo.HttpUrl}/readyz");
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                last = new Readiness(response.StatusCode, body.RootElement.GetProperty("checks").EnumerateObject()
                    .ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!));
                return response.StatusCode == wanted;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, what, StartTimeout);
        return last!;
    }

    private sealed record Readiness(HttpStatusCode Status, Dictionary<string, string> Checks);
}
