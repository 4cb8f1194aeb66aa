using Npgsql;
using Webhooks.ProcessHarness;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Hosting;

/// <summary>The real silo, started against a database it cannot use, says why in one line and exits with code 2
/// (not a stack trace and an abort).</summary>
[Trait("Category", "Durability")]
public sealed class StartupTests : IAsyncLifetime
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(60);

    private readonly string _logDirectory = Path.Combine(Path.GetTempPath(), $"webhooks-startup-{Guid.NewGuid():N}");
    private PostgresServer.Database _database = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_logDirectory);
        _database = await PostgresServer.CreateDatabaseAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task WrongPassword_IsOneLineNamingTheServerAndThePassword()
    {
        var wrong = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Password = "not-the-password" };
        var log = await RunToExitAsync("wrong-password", $"--ConnectionStrings:Postgres={wrong}");

        Assert.Contains($"Webhooks cannot start: PostgreSQL at {wrong.Host}:{wrong.Port}, database '{wrong.Database}' as '{wrong.Username}' refused the password (28P01)", log, StringComparison.Ordinal);
        // The harness logs the command line first; the silo's own output never repeats the password.
        Assert.DoesNotContain("not-the-password", string.Join('\n', log.Split('\n').Skip(1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingDatabase_IsOneLineSayingHowToCreateIt()
    {
        var missing = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Database = "webhooks_test_no_such_database" };
        var log = await RunToExitAsync("missing-database", $"--ConnectionStrings:Postgres={missing}");

        Assert.Contains("database \"webhooks_test_no_such_database\" does not exist (3D000): create it owned by the role (createdb -O <role> <database>)", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServer_IsOneLineNamingWhereItLooked()
    {
        var port = LoopbackPorts.Free(1)[0];
        var unreachable = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Port = port, Timeout = 5 };
        var log = await RunToExitAsync("unreachable", $"--ConnectionStrings:Postgres={unreachable}");

        Assert.Contains($"Webhooks cannot start: cannot reach PostgreSQL at 127.0.0.1:{port}, database '{unreachable.Database}'", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoConnectionString_NamesBothWaysToGiveIt()
    {
        var log = await RunToExitAsync("no-connection-string");

        Assert.Contains("Webhooks cannot start: Storage:Provider=postgres needs ConnectionStrings:Postgres, or Storage:ConnectionStringFile naming a readable file that holds it.", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANetworkListenerWithoutApiKeys_IsOneLineSayingToConfigureKeys()
    {
        var port = LoopbackPorts.Free(1)[0];
        var log = await RunToExitAsync("no-keys", $"--ConnectionStrings:Postgres={_database.ConnectionString}", $"--Gateway:GrpcUrl=http://0.0.0.0:{port}");

        Assert.Contains("Webhooks cannot start: invalid configuration: Auth:Keys is empty, and Gateway:GrpcUrl or Gateway:HttpUrl listens beyond loopback", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresWithoutASecretsKey_IsOneLineSayingHowToMakeOne()
    {
        var log = await RunToExitAsync("no-secrets-key", $"--ConnectionStrings:Postgres={_database.ConnectionString}", "--Secrets:Key=");

        Assert.Contains("Webhooks cannot start: invalid configuration: Storage:Provider=postgres needs Secrets:Key (or Secrets:KeyFile)", log, StringComparison.Ordinal);
        Assert.Contains("new-secrets-key", log, StringComparison.Ordinal);
    }

    /// <summary>Runs the silo in durable mode until it exits; asserts exit code 2 and no stack trace, returns its output.</summary>
    private async Task<string> RunToExitAsync(string name, params string[] arguments)
    {
        var dll = SiloProcess.SiloDll;
        var ports = LoopbackPorts.Free(4);
        string[] all =
        [
            dll,
            "--Storage:Provider=postgres",
            $"--Secrets:Key={TestSecrets.Key}",
            $"--Orleans:SiloPort={ports[0]}",
            $"--Orleans:GatewayPort={ports[1]}",
            $"--Gateway:GrpcUrl=http://127.0.0.1:{ports[2]}",
            $"--Gateway:HttpUrl=http://127.0.0.1:{ports[3]}",
            .. arguments,
        ];
        await using var silo = ChildProcess.Start($"silo {name}", "dotnet", all, Path.Combine(_logDirectory, $"{name}.log"), workingDirectory: Path.GetDirectoryName(dll));
        Assert.True(await silo.WaitForExitAsync(ExitDeadline), $"the silo did not exit within {ExitDeadline.TotalSeconds} s:\n{silo.Tail(20)}");
        var log = silo.ReadLog();
        Assert.True(silo.ExitCode == 2, $"exit code {silo.ExitCode}, expected 2:\n{silo.Tail(20)}");
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        return log;
    }
}
