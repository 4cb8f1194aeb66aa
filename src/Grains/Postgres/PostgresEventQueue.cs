using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Streams;
using Webhooks.Streaming;

namespace Webhooks.Postgres;

/// <summary>Durable event queues in PostgreSQL (table webhooks_event_queue, see 004_event_queue.sql).
/// Enqueues are group-committed; a publish returns only after its batch committed.</summary>
internal sealed partial class PostgresEventQueue : IEventQueueBackend, IAsyncDisposable
{
    private readonly PostgresDatabase _database;
    private readonly PostgresQueueSignals _signals;
    private readonly Serializer<EventBatch> _serializer;
    private readonly EventQueueOptions _options;
    private readonly string _serviceId;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GroupCommit<Enqueued> _writes;

    public PostgresEventQueue(
        PostgresDatabase database,
        PostgresQueueSignals signals,
        Serializer<EventBatch> serializer,
        IOptions<EventQueueOptions> options,
        IOptions<ClusterOptions> cluster,
        TimeProvider time,
        ILogger<PostgresEventQueue> logger)
    {
        _time = time;
        _database = database;
        _signals = signals;
        _serializer = serializer;
        _options = options.Value;
        _serviceId = cluster.Value.ServiceId;
        _logger = logger;
        _writes = new GroupCommit<Enqueued>("event queue", FlushAsync, _ => 1, _options.MaxBatchesPerCommit, _options.Writers, logger);
    }

    public PostgresQueueSignals Signals => _signals;

    public TimeSpan VisibilityTimeout => _options.VisibilityTimeout;

    public Task EnqueueAsync(string provider, QueueId queueId, EventBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Events.IsDefaultOrEmpty)
        {
            return Task.CompletedTask;
        }

        var item = new Enqueued(provider, (int)queueId.GetNumericId(), batch.Events.Length, _serializer.SerializeToArray(batch));
        return _writes.WriteAsync(item, cancellationToken);
    }

    public IQueueAdapterReceiver CreateReceiver(string provider, QueueId queueId, Func<int> room) =>
        new PostgresEventQueueReceiver(this, provider, (int)queueId.GetNumericId(), room, _time);

    /// <summary>Reads up to <paramref name="limit"/> visible messages in order and hides them for the visibility
    /// timeout. Messages read too often without acknowledgement go to the dead-letter table instead.</summary>
    public async Task<List<QueueMessage>> DequeueAsync(string provider, int queueId, int limit, CancellationToken cancellationToken)
    {
        var messages = new List<QueueMessage>();
        List<(long Id, int Count)>? exhausted = null;
        await using (var command = _database.AsyncCommitDataSource.CreateCommand("""
            WITH next AS MATERIALIZED (
                -- Materialized: a subquery the planner rescans (a nested loop) would lock and return more rows
                -- than the limit.
                SELECT message_id FROM webhooks_event_queue
                WHERE service_id = @service AND provider = @provider AND queue_id = @queue AND visible_on <= now()
                ORDER BY message_id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE webhooks_event_queue q
            SET dequeue_count = q.dequeue_count + 1, visible_on = now() + @visibility
            FROM next
            WHERE q.service_id = @service AND q.provider = @provider AND q.queue_id = @queue AND q.message_id = next.message_id
            RETURNING q.message_id, q.dequeue_count, q.payload
            """))
        {
            AddQueueParameters(command, provider, queueId);
            command.Parameters.AddWithValue("visibility", _options.VisibilityTimeout);
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                var count = reader.GetInt32(1);
                if (count > _options.MaxDequeueCount)
                {
                    (exhausted ??= []).Add((id, count));
                    continue;
                }

                var batch = _serializer.Deserialize(reader.GetFieldValue<byte[]>(2))! with { SequenceNumber = id };
                messages.Add(new QueueMessage(id, count, batch));
            }
        }

        if (exhausted is not null)
        {
            await DeadLetterAsync(provider, queueId, exhausted, cancellationToken);
        }

        // RETURNING gives no order guarantee; the queue's order is the message id.
        messages.Sort(static (a, b) => a.MessageId.CompareTo(b.MessageId));
        return messages;
    }

    /// <summary>Deletes messages, but only those nobody has read again since (dequeue count unchanged).</summary>
    public Task AckAsync(string provider, int queueId, IReadOnlyCollection<(long Id, int Count)> messages, CancellationToken cancellationToken) =>
        ForMessagesAsync("""
            DELETE FROM webhooks_event_queue q
            USING unnest(@ids, @counts) AS m(message_id, dequeue_count)
            WHERE q.service_id = @service AND q.provider = @provider AND q.queue_id = @queue
              AND q.message_id = m.message_id AND q.dequeue_count = m.dequeue_count
            """, provider, queueId, messages, cancellationToken);

    /// <summary>Keeps messages this reader still holds hidden for another visibility timeout.</summary>
    public Task ExtendAsync(string provider, int queueId, IReadOnlyCollection<(long Id, int Count)> messages, CancellationToken cancellationToken) =>
        ForMessagesAsync("""
            UPDATE webhooks_event_queue q SET visible_on = now() + @visibility
            FROM unnest(@ids, @counts) AS m(message_id, dequeue_count)
            WHERE q.service_id = @service AND q.provider = @provider AND q.queue_id = @queue
              AND q.message_id = m.message_id AND q.dequeue_count = m.dequeue_count
            """, provider, queueId, messages, cancellationToken, visibility: true);

    /// <summary>Hands messages back unread (a reader stopping cleanly): visible now, and the read not counted.</summary>
    public Task ReleaseAsync(string provider, int queueId, IReadOnlyCollection<(long Id, int Count)> messages, CancellationToken cancellationToken) =>
        ForMessagesAsync("""
            UPDATE webhooks_event_queue q SET visible_on = now(), dequeue_count = q.dequeue_count - 1
            FROM unnest(@ids, @counts) AS m(message_id, dequeue_count)
            WHERE q.service_id = @service AND q.provider = @provider AND q.queue_id = @queue
              AND q.message_id = m.message_id AND q.dequeue_count = m.dequeue_count
            """, provider, queueId, messages, cancellationToken);

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    private async Task DeadLetterAsync(string provider, int queueId, List<(long Id, int Count)> messages, CancellationToken cancellationToken)
    {
        await ForMessagesAsync("""
            WITH dead AS (
                DELETE FROM webhooks_event_queue q
                USING unnest(@ids, @counts) AS m(message_id, dequeue_count)
                WHERE q.service_id = @service AND q.provider = @provider AND q.queue_id = @queue
                  AND q.message_id = m.message_id AND q.dequeue_count = m.dequeue_count
                RETURNING q.*
            )
            INSERT INTO webhooks_event_dead_letters
                (service_id, provider, queue_id, message_id, dequeue_count, created_on, reason, event_count, payload)
            SELECT service_id, provider, queue_id, message_id, dequeue_count - 1, created_on,
                   'read ' || (dequeue_count - 1) || ' times without being acknowledged', event_count, payload
            FROM dead
            """, provider, queueId, messages, cancellationToken);
        foreach (var (id, count) in messages)
        {
            LogDeadLettered(_logger, provider, queueId, id, count - 1);
        }
    }

    private async Task ForMessagesAsync(string sql, string provider, int queueId, IReadOnlyCollection<(long Id, int Count)> messages, CancellationToken cancellationToken, bool visibility = false)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var ids = new long[messages.Count];
        var counts = new int[messages.Count];
        var i = 0;
        foreach (var (id, count) in messages)
        {
            ids[i] = id;
            counts[i++] = count;
        }

        await using var command = _database.AsyncCommitDataSource.CreateCommand(sql);
        AddQueueParameters(command, provider, queueId);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("counts", counts);
        if (visibility)
        {
            command.Parameters.AddWithValue("visibility", _options.VisibilityTimeout);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void AddQueueParameters(NpgsqlCommand command, string provider, int queueId)
    {
        command.Parameters.AddWithValue("service", _serviceId);
        command.Parameters.AddWithValue("provider", provider);
        command.Parameters.AddWithValue("queue", queueId);
    }

    private async Task FlushAsync(IReadOnlyList<Enqueued> items, CancellationToken cancellationToken)
    {
        var providers = new string[items.Count];
        var queues = new int[items.Count];
        var counts = new int[items.Count];
        var payloads = new byte[items.Count][];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            providers[i] = item.Provider;
            queues[i] = item.QueueId;
            counts[i] = item.EventCount;
            payloads[i] = item.Payload;
            keys.Add(PostgresQueueSignals.Key(item.Provider, item.QueueId));
        }

        var notification = string.Join(',', keys);
        if (notification.Length > 7000)
        {
            // NOTIFY payloads are limited to 8000 bytes.
            notification = PostgresQueueSignals.AllQueues;
        }

        await using var batch = _database.DataSource.CreateBatch();
        // One round trip, one implicit transaction: the rows and the notification commit together.
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO webhooks_event_queue (service_id, provider, queue_id, event_count, payload)
            SELECT $1, t.provider, t.queue_id, t.event_count, t.payload
            FROM unnest($2::text[], $3::integer[], $4::integer[], $5::bytea[]) WITH ORDINALITY AS t(provider, queue_id, event_count, payload, n)
            ORDER BY t.n
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = _serviceId });
        insert.Parameters.Add(new NpgsqlParameter { Value = providers });
        insert.Parameters.Add(new NpgsqlParameter { Value = queues });
        insert.Parameters.Add(new NpgsqlParameter { Value = counts });
        insert.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(insert);
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
        notify.Parameters.Add(new NpgsqlParameter { Value = PostgresQueueSignals.Channel });
        notify.Parameters.Add(new NpgsqlParameter { Value = notification });
        batch.BatchCommands.Add(notify);
        await batch.ExecuteNonQueryAsync(cancellationToken);

        // Local readers need not wait for the notification's round trip.
        foreach (var key in keys)
        {
            _signals.Signal(key);
        }
    }

    internal readonly record struct QueueMessage(long MessageId, int DequeueCount, EventBatch Batch);

    private sealed class Enqueued(string provider, int queueId, int eventCount, byte[] payload) : GroupCommitItem
    {
        public string Provider { get; } = provider;
        public int QueueId { get; } = queueId;
        public int EventCount { get; } = eventCount;
        public byte[] Payload { get; } = payload;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event queue {Provider}/{QueueId}: message {MessageId} was read {Count} times without being acknowledged; moved to webhooks_event_dead_letters")]
    private static partial void LogDeadLettered(ILogger logger, string provider, int queueId, long messageId, int count);
}
