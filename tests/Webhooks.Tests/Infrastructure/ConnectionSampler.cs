using Npgsql;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Samples pg_stat_activity while the test runs: the most sessions seen on the test's database and on the
/// whole server, against max_connections. Silos that run out of connection slots (SQLSTATE 53300) fail storage
/// calls, so a test that goes wrong says whether that was why.</summary>
public sealed class ConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private ConnectionSampler(string connectionString) => _sampling = SampleAsync(connectionString, _stop.Token);

    public int PeakOnDatabase { get; private set; }

    public int PeakOnServer { get; private set; }

    public int MaxConnections { get; private set; }

    public string? LastError { get; private set; }

    public static ConnectionSampler Start(string connectionString) => new(connectionString);

    public override string ToString() =>
        $"peak sessions on the test database {PeakOnDatabase}, on the server {PeakOnServer} of max_connections {MaxConnections}"
        + (LastError is null ? "" : $" (last sampling error: {LastError})");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync(string connectionString, CancellationToken cancellationToken)
    {
        // One session of its own, opened once: the sampler must not need a free slot when the server is full.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE datname = current_database())::int, count(*) FILTER (WHERE backend_type = 'client backend')::int, " +
                "current_setting('max_connections')::int FROM pg_stat_activity", connection);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            do
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken))
                {
                    PeakOnDatabase = Math.Max(PeakOnDatabase, reader.GetInt32(0));
                    PeakOnServer = Math.Max(PeakOnServer, reader.GetInt32(1));
                    MaxConnections = reader.GetInt32(2);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (NpgsqlException ex)
        {
            LastError = ex.Message;
        }
    }
}
