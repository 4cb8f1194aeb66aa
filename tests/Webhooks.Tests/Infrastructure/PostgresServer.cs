using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The PostgreSQL server the durable-mode tests run against, and fresh databases on it.
/// By default the local server on 127.0.0.1:5432 with role webhooks/webhooks; when it is not reachable, the
/// repository's .ci/postgres.sh (the one place that knows how to install and start it) is run first, as CI does.
/// WEBHOOKS_TEST_POSTGRES overrides the maintenance connection string (an Npgsql connection string whose role may
/// CREATE DATABASE).</summary>
public static class PostgresServer
{
    public const string ConnectionVariable = "WEBHOOKS_TEST_POSTGRES";

    private const string DefaultConnectionString =
        "Host=127.0.0.1;Port=5432;Username=webhooks;Password=webhooks;Database=postgres";
    private const string SetupScript = ".ci/postgres.sh";
    private const int MinConnections = 300;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

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

    /// <summary>Stops the local server (pg_ctlcluster, as root) to test what clients see while it is away.
    /// Refuses a server given through <see cref="ConnectionVariable"/>: someone else's server is never stopped.</summary>
    public static async Task StopLocalServerAsync()
    {
        await Maintenance.Value;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConnectionVariable)))
        {
            throw new InvalidOperationException($"This test stops and starts PostgreSQL; it runs only against the local server, not {ConnectionVariable}.");
        }

        await RunAsync("pg_ctlcluster", [Environment.GetEnvironmentVariable("PG_VERSION") ?? "15", Environment.GetEnvironmentVariable("PG_CLUSTER") ?? "main", "stop", "-m", "fast"]);
    }

    /// <summary>Starts the local server again (through the same script CI uses) and waits until it accepts the tests.</summary>
    public static async Task StartLocalServerAsync()
    {
        await RunAsync("bash", [FindSetupScript()]);
        string? failure = null;
        await Poll.UntilAsync(
            async () => (failure = await TryConnectAsync(DefaultConnectionString)) is null,
            $"PostgreSQL accepted connections again (last error: {failure})",
            StartTimeout);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        // Unpooled: a pooled connection would be dead after a test restarts the server.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
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
        if (await TryConnectAsync(connectionString) is not null)
        {
            // Starts the local server as it is; it changes settings only on a server it installs or creates itself.
            await RunAsync("bash", [FindSetupScript()]);
            string? failure = null;
            await Poll.UntilAsync(
                async () => (failure = await TryConnectAsync(connectionString)) is null,
                $"PostgreSQL accepted the tests' connection after {SetupScript} ran (last error: {failure})",
                StartTimeout);
        }

        await CheckSettingsAsync(connectionString);
        return connectionString;
    }

    /// <summary>Three-silo tests hold more connections than PostgreSQL's default allows. Someone's own server is not
    /// reconfigured by the tests: they fail at once saying what to change.</summary>
    private static async Task CheckSettingsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW max_connections", connection);
        var maxConnections = int.Parse((string)(await command.ExecuteScalarAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        if (maxConnections < MinConnections)
        {
            throw new InvalidOperationException(
                $"PostgreSQL at 127.0.0.1:5432 allows {maxConnections} connections; the durability tests need {MinConnections}. " +
                $"Run `sudo bash {SetupScript} --tune` (it also sets shared_buffers, max_wal_size and checkpoint_timeout, and restarts the server), " +
                $"or point {ConnectionVariable} at another server.");
        }
    }

    private static string FindSetupScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, SetupScript);
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException(
            $"PostgreSQL is not reachable at 127.0.0.1:5432 and {SetupScript} was not found above {AppContext.BaseDirectory}; " +
            $"start PostgreSQL or set {ConnectionVariable} to a server's connection string.");
    }

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

    /// <returns>The exit code.</returns>
    private static async Task<int> RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode} " +
                $"(it must run as root to install or start PostgreSQL): {await stderr}{await stdout}");
        }

        return process.ExitCode;
    }

    /// <summary>A database of its own for one test or fixture, dropped (closing its sessions) on dispose.</summary>
    public sealed class Database(string name, string connectionString, string maintenanceConnectionString) : IAsyncDisposable
    {
        public string Name { get; } = name;

        /// <summary>An Npgsql connection string for this database.</summary>
        public string ConnectionString { get; } = connectionString;

        /// <summary>Runs one statement; the default value when it yields no row or NULL.</summary>
        public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
        {
            // Unpooled: a pooled connection would be dead after a test restarts the server.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (parameter, value) in parameters)
            {
                command.Parameters.AddWithValue(parameter, value ?? DBNull.Value);
            }

            var result = await command.ExecuteScalarAsync();
            return result is null or DBNull ? default : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
            {
                NpgsqlConnection.ClearPool(pooled);
            }

            // FORCE ends our own sessions but may not end an autovacuum worker (a superuser's), which a test that
            // wrote a lot can leave on the database for a moment: 42501 then, and the next try succeeds.
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        await ExecuteAsync(maintenanceConnectionString, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
                        return true;
                    }
                    catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
                    {
                        return false;
                    }
                },
                $"database {Name} could be dropped");
        }
    }
}
