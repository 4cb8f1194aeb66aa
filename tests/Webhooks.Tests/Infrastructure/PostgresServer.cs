using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The PostgreSQL server the durable-mode tests run against, and fresh databases on it.
/// By default the local cluster 15/main on 127.0.0.1:5432 with role webhooks/webhooks, started on first use
/// when it is installed but down (as root, like CI). WEBHOOKS_TEST_POSTGRES overrides the maintenance connection
/// string (an Npgsql connection string whose role may CREATE DATABASE).</summary>
public static class PostgresServer
{
    public const string ConnectionVariable = "WEBHOOKS_TEST_POSTGRES";

    private const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=webhooks;Password=webhooks;Database=postgres";
    private const string ClusterVersion = "15";
    private const string ClusterName = "main";
    private const string PgCtlCluster = "/usr/bin/pg_ctlcluster";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    // Started once per test process, whichever test gets here first; a failure is remembered for all of them.
    private static readonly Lazy<Task<string>> Maintenance = new(EnsureReadyAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates an empty database owned by the maintenance role; dispose it to drop it.</summary>
    public static async Task<Database> CreateDatabaseAsync()
    {
        var maintenance = await Maintenance.Value;
        var name = $"webhooks_test_{Guid.NewGuid():N}";
        var owner = new NpgsqlConnectionStringBuilder(maintenance).Username;
        await ExecuteAsync(maintenance, $"CREATE DATABASE {name} OWNER \"{owner}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(maintenance) { Database = name }.ConnectionString;
        return new Database(name, connectionString, maintenance);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> EnsureReadyAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            // Someone else's server: report, never try to start or change it.
            return await TryConnectAsync(configured) is { } unreachable
                ? throw new InvalidOperationException($"PostgreSQL from {ConnectionVariable} is not reachable: {unreachable}")
                : configured;
        }

        var connectionString = DefaultConnectionString;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (await TryConnectAsync(connectionString) is null)
        {
            return connectionString;
        }

        var where = $"{builder.Host}:{builder.Port}";
        if (!File.Exists(PgCtlCluster))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at {where} and is not installed on this machine ({PgCtlCluster} is missing). " +
                $"Run .ci/postgres.sh as root to install and start it, or set {ConnectionVariable} to a server's connection string.");
        }

        // "status" exits non-zero when the cluster is down; starting one that is already up (or coming up) fails.
        if (await RunAsync(PgCtlCluster, [ClusterVersion, ClusterName, "status"], throwOnFailure: false) != 0)
        {
            await RunAsync(PgCtlCluster, [ClusterVersion, ClusterName, "start"]);
        }

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await IsListeningAsync(builder.Host!, builder.Port))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL {ClusterVersion}/{ClusterName} was started but does not accept connections on {where} " +
                    $"after {StartTimeout.TotalSeconds:0} s. Run .ci/postgres.sh as root to see why.");
            }

            await Task.Delay(200);
        }

        await EnsureRoleAsync(builder.Port);

        string? failure;
        while ((failure = await TryConnectAsync(connectionString)) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PostgreSQL at {where} accepts connections but not ours: {failure}");
            }

            await Task.Delay(200);
        }

        return connectionString;
    }

    /// <summary>Root cannot log in as postgres over TCP (password) or the socket (peer auth), hence runuser.</summary>
    private static Task<int> EnsureRoleAsync(int port) =>
        RunAsync("runuser", ["-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
            "-p", port.ToString(CultureInfo.InvariantCulture), "-d", "postgres", "-c", """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'webhooks') THEN
                    CREATE ROLE webhooks LOGIN PASSWORD 'webhooks' CREATEDB;
                END IF;
            END
            $$;
            """]);

    /// <returns>Null when a connection opens, otherwise why it did not.</returns>
    private static async Task<string?> TryConnectAsync(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return e.Message;
        }
    }

    private static async Task<bool> IsListeningAsync(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <returns>The exit code.</returns>
    private static async Task<int> RunAsync(string fileName, IReadOnlyList<string> arguments, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // psql as postgres cannot read the test's working directory; it only warns, but keep the output clean.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode} " +
                $"(root is needed to start PostgreSQL; or run .ci/postgres.sh as root): {await stderr}{await stdout}");
        }

        return process.ExitCode;
    }

    /// <summary>A database of its own for one test or fixture, dropped (closing its sessions) on dispose.</summary>
    public sealed class Database(string name, string connectionString, string maintenanceConnectionString) : IAsyncDisposable
    {
        public string Name { get; } = name;

        /// <summary>An Npgsql connection string for this database.</summary>
        public string ConnectionString { get; } = connectionString;

        public async ValueTask DisposeAsync()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            await ExecuteAsync(maintenanceConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }
    }
}
