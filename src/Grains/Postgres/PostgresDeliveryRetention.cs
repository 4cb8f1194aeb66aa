using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Deliveries;
using Webhooks.Endpoints;

namespace Webhooks.Postgres;

/// <summary>Deletes finished deliveries older than Delivery:Retention, in bounded batches (short transactions,
/// no long locks), on one silo at a time. Pending deliveries are never pruned.</summary>
internal sealed partial class PostgresDeliveryRetention(
    PostgresDatabase database,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<PostgresDeliveryRetention> logger) : BackgroundService
{
    // Any constant works as long as every version uses it; "Retentio" in ASCII.
    private const long LockKey = 0x526574656E74696F;

    private readonly DeliveryOptions _options = options.Value;

    /// <summary>One full pass: deletes batches until none is left.</summary>
    /// <returns>Deliveries deleted, or -1 when another silo holds the pass.</returns>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var deleted = await PruneBatchAsync(cancellationToken);
            if (deleted < 0)
            {
                return total == 0 ? -1 : total;
            }

            total += deleted;
            if (deleted < _options.RetentionBatchSize)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RetentionInterval, time, stoppingToken);
                var deleted = await PruneAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogPruned(logger, deleted, _options.Retention.TotalDays);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogPruneFailed(logger, ex);
            }
        }
    }

    private async Task<int> PruneBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.AsyncCommitDataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            if (await lockCommand.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return -1;
            }
        }

        // Attempts have no foreign key (009_attempts_without_foreign_key.sql): they go in the same statement as their deliveries.
        await using var delete = new NpgsqlCommand($"""
            WITH gone AS (
                DELETE FROM webhooks_deliveries
                WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM webhooks_deliveries
                    WHERE created_at < @cutoff AND status <> {(short)DeliveryStatus.Pending} AND finished_at < @cutoff
                    ORDER BY created_at
                    LIMIT @batch))
                RETURNING endpoint_id, sequence),
            attempts AS (
                DELETE FROM webhooks_delivery_attempts a
                USING gone
                WHERE a.endpoint_id = gone.endpoint_id AND a.sequence = gone.sequence)
            SELECT count(*)::integer FROM gone
            """, connection, transaction);
        delete.Parameters.AddWithValue("cutoff", (time.GetUtcNow() - _options.Retention).UtcDateTime);
        delete.Parameters.AddWithValue("batch", _options.RetentionBatchSize);
        var deleted = (int)(await delete.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {Count} deliveries finished more than {Days} days ago")]
    private static partial void LogPruned(ILogger logger, long count, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed; retrying at the next interval")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
