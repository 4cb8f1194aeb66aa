using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using Webhooks.ProcessHarness;

namespace Webhooks.Benchmarks.Harness;

/// <summary>--mode postgres: the PostgreSQL server the silos run against, and one fresh database per silo started
/// (each scenario's silo starts empty, as in memory mode). Every database this run created is dropped at the end,
/// unless --keep-db.</summary>
public sealed class BenchDatabases : IAsyncDisposable
{
    /// <summary>Overrides the maintenance connection string (a role that may CREATE DATABASE); --postgres wins.</summary>
    public const string ConnectionVariable = "WEBHOOKS_BENCH_POSTGRES";

    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=webhooks;Password=webhooks;Database=postgres";

    private const string SetupScript = ".ci/postgres.sh";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _maintenance;
    private readonly bool _keep;
    private readonly string _prefix;
    private readonly List<string> _created = [];

    private BenchDatabases(string maintenance, bool keep)
    {
        _maintenance = maintenance;
        _keep = keep;
        _prefix = "webhooks_bench_" + DateTime.UtcNow.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
    }

    /// <summary>The databases created so far (names), in order.</summary>
    public IReadOnlyList<string> Created => _created;

    /// <summary>Where the maintenance connection string came from: --postgres, the environment, or the default.</summary>
    public static string Resolve(HarnessOptions options) =>
        options.Postgres
        ?? (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured ? configured : DefaultConnectionString);

    /// <summary>The connection string without its password, for logs and the results file.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            builder.Remove("Password");
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }

    /// <summary>Makes sure the server answers (running .ci/postgres.sh once when a server on this machine does not).</summary>
    public static async Task<BenchDatabases> ConnectAsync(Layout layout, HarnessOptions options, CancellationToken cancellationToken)
    {
        var maintenance = Resolve(options);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(maintenance);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"the PostgreSQL connection string is not valid: {ex.Message}", ex);
        }

        if (await TryConnectAsync(maintenance, cancellationToken) is { } failure)
        {
            if (!IsLocal(builder.Host))
            {
                throw new InvalidOperationException($"PostgreSQL at {Describe(maintenance)} is not reachable: {failure}");
            }

            var script = Path.Combine(layout.RepoRoot, SetupScript);
            Console.WriteLine($"PostgreSQL is not reachable ({failure}); running {script} ...");
            await ChildProcess.RunToCompletionAsync("postgres-setup", "bash", [script], layout.Log("postgres-setup"),
                layout.RepoRoot, TimeSpan.FromMinutes(5), cancellationToken);
            var deadline = DateTime.UtcNow + ReadyTimeout;
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            while ((failure = await TryConnectAsync(maintenance, cancellationToken)) is not null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"PostgreSQL at {Describe(maintenance)} is still not reachable {ReadyTimeout.TotalSeconds:0} s after {SetupScript}: {failure}");
                }

                await poll.WaitForNextTickAsync(cancellationToken);
            }
        }

        return new BenchDatabases(maintenance, options.KeepDatabase);
    }

    /// <summary>Creates an empty database owned by the maintenance role for one silo; returns its connection string.</summary>
    public async Task<string> CreateAsync(string purpose, CancellationToken cancellationToken)
    {
        var suffix = new string([.. purpose.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        var name = $"{_prefix}_{suffix}_{_created.Count.ToString(CultureInfo.InvariantCulture)}";
        if (name.Length > 63)
        {
            name = $"{_prefix}_{_created.Count.ToString(CultureInfo.InvariantCulture)}";
        }

        var owner = new NpgsqlConnectionStringBuilder(_maintenance).Username;
        await ExecuteAsync(_maintenance, $"CREATE DATABASE {name} OWNER \"{owner}\"", cancellationToken);
        _created.Add(name);
        Console.WriteLine($"   database {name} on {Describe(_maintenance)}");
        return new NpgsqlConnectionStringBuilder(_maintenance) { Database = name }.ConnectionString;
    }

    /// <summary>Drops every database this run created (closing sessions a killed silo may have left), or lists them
    /// with --keep-db. Call after the silos are gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_created.Count == 0)
        {
            return;
        }

        if (_keep)
        {
            Console.WriteLine($"Kept (--keep-db): {string.Join(", ", _created)} on {Describe(_maintenance)}");
            return;
        }

        foreach (var name in _created)
        {
            await DropAsync(name);
        }

        _created.Clear();
    }

    /// <summary>Drops one silo's database as soon as the silo is gone: a big one left behind keeps autovacuum busy
    /// for minutes, on the cores the next phase is measured on. Nothing with --keep-db.</summary>
    public async Task DropDatabaseOfAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        if (_keep || name is null || !_created.Remove(name))
        {
            return;
        }

        await DropAsync(name);
    }

    private async Task DropAsync(string name)
    {
        // FORCE ends the sessions a killed silo may have left. It cannot end an autovacuum worker unless the role is
        // in pg_signal_backend (.ci/postgres.sh grants it): 42501 then, so try again for up to a minute rather than
        // leave gigabytes on the disk.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(_maintenance, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 60)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                Console.Error.WriteLine($"could not drop database {name}: {ex.Message}");
                return;
            }
        }
    }

    private static bool IsLocal(string? host) =>
        host is null or "" or "localhost" or "127.0.0.1" or "::1" || host.StartsWith('/');

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <returns>Null when a connection opens, otherwise why it did not.</returns>
    private static async Task<string?> TryConnectAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5, Pooling = false };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return ex.Message;
        }
    }
}
