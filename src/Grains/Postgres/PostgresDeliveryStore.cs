using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Postgres;
using Webhooks.DeliveryLog;

namespace Webhooks.Postgres;

/// <summary>The durable delivery log and endpoint queues (tables webhooks_deliveries and
/// webhooks_delivery_attempts, see 005_deliveries.sql). Writes from every endpoint grain of the silo are
/// group-committed: one round trip and one implicit transaction per batch.</summary>
/// <remarks>A batch with new deliveries commits durably: the webhook acknowledges its stream message once they are
/// stored. A batch of outcomes only (status and attempt) commits asynchronously
/// (<see cref="PostgresDatabase.AsyncCommitDataSource"/>): a crash of the database server can lose the last few,
/// and those deliveries are then sent again, which at-least-once delivery allows. One group commit for both keeps
/// a saturated silo's transactions few and large.</remarks>
internal sealed class PostgresDeliveryStore : IDeliveryStore, IDeliveryLog, IAsyncDisposable
{
    private const string Columns = """
        endpoint_id, sequence, webhook_id, event_id, object_type, event, status, http_method, url, content_type,
        headers::text, body, created_at, next_attempt_at, attempt_count, event_accepted_at, trace_parent
        """;

    // Statuses go into the SQL as literals, not parameters, so that the planner can match the partial indexes on
    // status = 1 (pending) with generic plans of prepared statements too.
    private const short Pending = (short)DeliveryStatus.Pending;
    private const short Failed = (short)DeliveryStatus.Failed;

    private readonly PostgresDatabase _database;
    private readonly GroupCommit<Write> _writes;

    public PostgresDeliveryStore(PostgresDatabase database, IOptions<DeliveryOptions> options, ILogger<PostgresDeliveryStore> logger)
    {
        _database = database;
        _writes = new GroupCommit<Write>("deliveries", FlushAsync, w => w.Weight, options.Value.MaxRowsPerCommit, options.Value.Writers, logger);
    }

    public async Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var write = new Write(records, null);
        await _writes.WriteAsync(write, cancellationToken);
        return write.Added!;
    }

    public Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken = default) =>
        _writes.WriteAsync(new Write(null, record), cancellationToken);

    public Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken = default) =>
        ReadAsync($"""
            SELECT {Columns} FROM webhooks_deliveries
            WHERE endpoint_id = @endpoint AND status = {Pending} AND sequence > @after AND sequence < @before
            ORDER BY sequence
            LIMIT @limit
            """, command =>
        {
            command.Parameters.AddWithValue("endpoint", endpointId);
            command.Parameters.AddWithValue("after", afterSequence);
            command.Parameters.AddWithValue("before", beforeSequence);
            command.Parameters.AddWithValue("limit", limit);
        }, DeliverySize.Request, maxBytes, cancellationToken);

    public async Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _database.DataSource.CreateCommand($"""
            UPDATE webhooks_deliveries
            SET status = {Failed}, next_attempt_at = NULL, finished_at = now()
            WHERE endpoint_id = @endpoint AND status = {Pending} AND sequence IN (
                SELECT sequence FROM webhooks_deliveries
                WHERE endpoint_id = @endpoint AND status = {Pending}
                ORDER BY sequence
                LIMIT @limit)
            """);
        command.Parameters.AddWithValue("endpoint", endpointId);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken = default)
    {
        var found = await ReadAsync($"SELECT {Columns} FROM webhooks_deliveries WHERE endpoint_id = @endpoint AND sequence = @sequence", command =>
        {
            command.Parameters.AddWithValue("endpoint", endpointId);
            command.Parameters.AddWithValue("sequence", sequence);
        }, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken = default)
    {
        var after = DeliveryCursor.FromToken(query.PageToken);
        // One endpoint: its primary key backwards (an endpoint numbers its deliveries as it creates them).
        var sql = query.EndpointId is not null
            ? $"""
                SELECT {Columns} FROM webhooks_deliveries
                WHERE endpoint_id = @endpoint
                  AND (@webhook::text IS NULL OR webhook_id = @webhook)
                  AND (@event::text IS NULL OR event_id = @event)
                  AND (@status::smallint IS NULL OR status = @status)
                  AND (@object_type::text IS NULL OR object_type = @object_type)
                  AND (@created_from::timestamptz IS NULL OR created_at >= @created_from)
                  AND (@created_to::timestamptz IS NULL OR created_at < @created_to)
                  AND (@after_sequence::bigint IS NULL OR sequence < @after_sequence)
                ORDER BY sequence DESC
                LIMIT @limit
                """
            : $"""
                SELECT {Columns} FROM webhooks_deliveries
                WHERE (@webhook::text IS NULL OR webhook_id = @webhook)
                  AND (@event::text IS NULL OR event_id = @event)
                  AND (@status::smallint IS NULL OR status = @status)
                  AND (@object_type::text IS NULL OR object_type = @object_type)
                  AND (@created_from::timestamptz IS NULL OR created_at >= @created_from)
                  AND (@created_to::timestamptz IS NULL OR created_at < @created_to)
                  AND (@after_created::timestamptz IS NULL OR (created_at, endpoint_id, sequence) < (@after_created, @after_endpoint, @after_sequence))
                ORDER BY created_at DESC, endpoint_id DESC, sequence DESC
                LIMIT @limit
                """;
        var items = await ReadAsync(sql, command =>
        {
            command.Parameters.Add(Nullable("endpoint", query.EndpointId, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("webhook", query.WebhookId, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("event", query.EventId, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("status", query.Status is { } status ? (short)status : null, NpgsqlDbType.Smallint));
            command.Parameters.Add(Nullable("object_type", query.ObjectType, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("created_from", query.CreatedAfter?.UtcDateTime, NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Nullable("created_to", query.CreatedBefore?.UtcDateTime, NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Nullable("after_created", after is { } c ? new DateTime(c.CreatedTicks, DateTimeKind.Utc) : null, NpgsqlDbType.TimestampTz));
            command.Parameters.Add(Nullable("after_endpoint", after?.EndpointId, NpgsqlDbType.Text));
            command.Parameters.Add(Nullable("after_sequence", after?.Sequence, NpgsqlDbType.Bigint));
            command.Parameters.AddWithValue("limit", query.PageSize + 1);
        }, r => DeliverySize.Request(r) / 2, DeliveryPages.MaxPageChars, cancellationToken);

        // Rows stop at the page's size or its bytes: either way a further row, or the rest, is for the next page.
        var more = items.Count > query.PageSize || items.Sum(r => DeliverySize.Request(r) / 2) >= DeliveryPages.MaxPageChars;
        var page = items.Count > query.PageSize ? items.Take(query.PageSize).ToImmutableArray() : [.. items];
        return new DeliveryPage
        {
            Items = page,
            NextPageToken = more ? DeliveryCursor.Of(page[^1]).ToToken() : null,
        };
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    private static NpgsqlParameter Nullable(string name, object? value, NpgsqlDbType type) =>
        new(name, type) { Value = value ?? DBNull.Value };

    private Task<IReadOnlyList<DeliveryRecord>> ReadAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken) =>
        ReadAsync(sql, parameters, static _ => 0, long.MaxValue, cancellationToken);

    /// <summary>Reads rows until they run out or their <paramref name="size"/> reaches <paramref name="maxSize"/>
    /// (the row that reaches it included): what is held stays bounded by bytes whatever the rows carry.</summary>
    private async Task<IReadOnlyList<DeliveryRecord>> ReadAsync(
        string sql, Action<NpgsqlCommand> parameters, Func<DeliveryRecord, long> size, long maxSize, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken);
            var records = new List<DeliveryRecord>();
            await using (var command = new NpgsqlCommand(sql, connection))
            {
                parameters(command);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                long total = 0;
                while (total < maxSize && await reader.ReadAsync(cancellationToken))
                {
                    var record = ReadRecord(reader);
                    records.Add(record);
                    total += size(record);
                }
            }

            return records.Count == 0 ? records : await WithAttemptsAsync(connection, records, cancellationToken);
        }
        catch (Exception ex) when (PostgresFailures.IsUnavailable(ex))
        {
            throw PostgresFailures.Translate(ex, "delivery log");
        }
    }

    private static async Task<IReadOnlyList<DeliveryRecord>> WithAttemptsAsync(NpgsqlConnection connection, List<DeliveryRecord> records, CancellationToken cancellationToken)
    {
        var counted = records.Where(r => r.Attempts.IsDefault).ToList();
        if (counted.Count == 0)
        {
            return records;
        }

        await using var command = new NpgsqlCommand("""
            SELECT a.endpoint_id, a.sequence, a.started_at, a.duration_us, a.status_code, a.error,
                   a.response_headers::text, a.response_body, a.timed_out, a.manual, a.request_headers::text
            FROM webhooks_delivery_attempts a
            JOIN unnest(@endpoints, @sequences) AS k(endpoint_id, sequence) USING (endpoint_id, sequence)
            ORDER BY a.endpoint_id, a.sequence, a.attempt
            """, connection);
        command.Parameters.AddWithValue("endpoints", counted.Select(r => r.EndpointId).ToArray());
        command.Parameters.AddWithValue("sequences", counted.Select(r => r.Sequence).ToArray());
        var attempts = new Dictionary<(string, long), ImmutableArray<DeliveryAttempt>.Builder>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = (reader.GetString(0), reader.GetInt64(1));
                if (!attempts.TryGetValue(key, out var list))
                {
                    attempts[key] = list = ImmutableArray.CreateBuilder<DeliveryAttempt>();
                }

                list.Add(new DeliveryAttempt
                {
                    Time = new DateTimeOffset(reader.GetFieldValue<DateTime>(2)),
                    Duration = TimeSpan.FromMicroseconds(reader.GetInt64(3)),
                    StatusCode = reader.GetInt32(4),
                    Error = reader.GetString(5),
                    ResponseHeaders = ReadHeaders(reader.GetString(6)),
                    ResponseBody = reader.GetString(7),
                    TimedOut = reader.GetBoolean(8),
                    Manual = reader.GetBoolean(9),
                    RequestHeaders = ReadHeaders(reader.GetString(10)),
                });
            }
        }

        return records.Select(r => r.Attempts.IsDefault
            ? r with { Attempts = attempts.TryGetValue((r.EndpointId, r.Sequence), out var list) ? list.ToImmutable() : [] }
            : r).ToList();
    }

    /// <summary>Reads the row; Attempts stays default (unread) when the row says there were any.</summary>
    private static DeliveryRecord ReadRecord(NpgsqlDataReader reader)
    {
        var endpointId = reader.GetString(0);
        var sequence = reader.GetInt64(1);
        return new DeliveryRecord
        {
            Id = DeliveryId.Format(endpointId, sequence),
            EndpointId = endpointId,
            Sequence = sequence,
            WebhookId = reader.GetString(2),
            EventId = reader.GetString(3),
            ObjectType = reader.GetString(4),
            Event = reader.GetString(5),
            Status = (DeliveryStatus)reader.GetInt16(6),
            HttpMethod = reader.GetString(7),
            Url = reader.GetString(8),
            ContentType = reader.GetString(9),
            Headers = ReadHeaders(reader.GetString(10)),
            Body = reader.GetString(11),
            CreatedAt = new DateTimeOffset(reader.GetFieldValue<DateTime>(12)),
            NextAttemptAt = reader.IsDBNull(13) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(13)),
            Attempts = reader.GetInt32(14) == 0 ? [] : default,
            EventAcceptedAt = reader.IsDBNull(15) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(15)),
            TraceParent = reader.IsDBNull(16) ? null : reader.GetString(16),
        };
    }

    private static ImmutableArray<HttpHeader> ReadHeaders(string json)
    {
        using var document = JsonDocument.Parse(json);
        var headers = ImmutableArray.CreateBuilder<HttpHeader>(document.RootElement.GetArrayLength());
        foreach (var header in document.RootElement.EnumerateArray())
        {
            headers.Add(new HttpHeader { Name = header.GetProperty("name").GetString()!, Value = header.GetProperty("value").GetString()! });
        }

        return headers.MoveToImmutable();
    }

    private static string WriteHeaders(ImmutableArray<HttpHeader> headers)
    {
        if (headers.IsDefaultOrEmpty)
        {
            return "[]";
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var header in headers)
            {
                json.WriteStartObject();
                json.WriteString("name", header.Name);
                json.WriteString("value", header.Value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private async Task FlushAsync(IReadOnlyList<Write> writes, CancellationToken cancellationToken)
    {
        var added = writes.Where(w => w.Records is not null).SelectMany(w => w.Records!).ToList();
        var updated = writes.Where(w => w.Update is not null).Select(w => w.Update!).ToList();
        await using var batch = (added.Count > 0 ? _database.DataSource : _database.AsyncCommitDataSource).CreateBatch();
        if (added.Count > 0)
        {
            var insert = new NpgsqlBatchCommand($"""
                INSERT INTO webhooks_deliveries
                    (endpoint_id, sequence, webhook_id, event_id, object_type, event, status, http_method, url, content_type,
                     headers, body, created_at, event_accepted_at, trace_parent)
                SELECT t.endpoint_id, t.sequence, t.webhook_id, t.event_id, t.object_type, t.event, {Pending}, t.http_method, t.url,
                       t.content_type, t.headers::jsonb, t.body, t.created_at, t.event_accepted_at, t.trace_parent
                FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[], $14::text[])
                     AS t(endpoint_id, sequence, webhook_id, event_id, object_type, event, http_method, url, content_type,
                          headers, body, created_at, event_accepted_at, trace_parent)
                ON CONFLICT (endpoint_id, event_id, webhook_id) DO NOTHING
                RETURNING endpoint_id, sequence
                """);
            AddArray(insert.Parameters, added, r => r.EndpointId);
            AddArray(insert.Parameters, added, r => r.Sequence);
            AddArray(insert.Parameters, added, r => r.WebhookId);
            AddArray(insert.Parameters, added, r => r.EventId);
            AddArray(insert.Parameters, added, r => r.ObjectType);
            AddArray(insert.Parameters, added, r => r.Event);
            AddArray(insert.Parameters, added, r => r.HttpMethod);
            AddArray(insert.Parameters, added, r => r.Url);
            AddArray(insert.Parameters, added, r => r.ContentType);
            AddArray(insert.Parameters, added, r => WriteHeaders(r.Headers));
            AddArray(insert.Parameters, added, r => r.Body);
            AddArray(insert.Parameters, added, r => r.CreatedAt.UtcDateTime);
            AddArray(insert.Parameters, added, r => r.EventAcceptedAt?.UtcDateTime);
            AddArray(insert.Parameters, added, r => r.TraceParent);
            batch.BatchCommands.Add(insert);
        }

        if (updated.Count > 0)
        {
            var update = new NpgsqlBatchCommand($"""
                UPDATE webhooks_deliveries d
                SET status = u.status, next_attempt_at = u.next_attempt_at, attempt_count = u.attempt_count,
                    finished_at = CASE WHEN u.status = {Pending} THEN NULL ELSE now() END
                FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::timestamptz[], $5::integer[])
                     AS u(endpoint_id, sequence, status, next_attempt_at, attempt_count)
                WHERE d.endpoint_id = u.endpoint_id AND d.sequence = u.sequence
                """);
            AddArray(update.Parameters, updated, r => r.EndpointId);
            AddArray(update.Parameters, updated, r => r.Sequence);
            AddArray(update.Parameters, updated, r => (short)r.Status);
            AddArray(update.Parameters, updated, r => r.NextAttemptAt?.UtcDateTime);
            AddArray(update.Parameters, updated, r => r.Attempts.IsDefault ? 0 : r.Attempts.Length);
            batch.BatchCommands.Add(update);

            var attempted = updated.Where(r => !r.Attempts.IsDefaultOrEmpty).ToList();
            if (attempted.Count > 0)
            {
                // The newest attempt is the one not stored yet; an earlier write of it makes this a no-op.
                var attempts = new NpgsqlBatchCommand("""
                    INSERT INTO webhooks_delivery_attempts
                        (endpoint_id, sequence, attempt, started_at, duration_us, status_code, error, response_headers, response_body, timed_out, manual,
                         request_headers)
                    SELECT t.endpoint_id, t.sequence, t.attempt, t.started_at, t.duration_us, t.status_code, t.error,
                           t.response_headers::jsonb, t.response_body, t.timed_out, t.manual, t.request_headers::jsonb
                    FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::timestamptz[], $5::bigint[], $6::integer[], $7::text[],
                                $8::text[], $9::text[], $10::boolean[], $11::boolean[], $12::text[])
                         AS t(endpoint_id, sequence, attempt, started_at, duration_us, status_code, error, response_headers,
                              response_body, timed_out, manual, request_headers)
                    ON CONFLICT DO NOTHING
                    """);
                AddArray(attempts.Parameters, attempted, r => r.EndpointId);
                AddArray(attempts.Parameters, attempted, r => r.Sequence);
                AddArray(attempts.Parameters, attempted, r => r.Attempts.Length);
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].Time.UtcDateTime);
                AddArray(attempts.Parameters, attempted, r => (long)r.Attempts[^1].Duration.TotalMicroseconds);
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].StatusCode);
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].Error);
                AddArray(attempts.Parameters, attempted, r => WriteHeaders(r.Attempts[^1].ResponseHeaders));
                // PostgreSQL text cannot hold NUL characters, which a binary body decoded as UTF-8 may contain.
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].ResponseBody.Replace("\0", "", StringComparison.Ordinal));
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].TimedOut);
                AddArray(attempts.Parameters, attempted, r => r.Attempts[^1].Manual);
                AddArray(attempts.Parameters, attempted, r => WriteHeaders(r.Attempts[^1].RequestHeaders));
                batch.BatchCommands.Add(attempts);
            }
        }

        var inserted = new HashSet<(string, long)>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            if (added.Count > 0)
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            while (await reader.NextResultAsync(cancellationToken))
            {
            }
        }

        foreach (var write in writes)
        {
            if (write.Records is { } records)
            {
                write.Added = records.Where(r => inserted.Contains((r.EndpointId, r.Sequence))).ToList();
            }
        }
    }

    private static void AddArray<T>(NpgsqlParameterCollection parameters, List<DeliveryRecord> records, Func<DeliveryRecord, T> value)
    {
        var values = new T[records.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = value(records[i]);
        }

        parameters.Add(new NpgsqlParameter { Value = values });
    }

    /// <summary>New deliveries to add, or one delivery's new state.</summary>
    private sealed class Write(IReadOnlyList<DeliveryRecord>? records, DeliveryRecord? update) : GroupCommitItem
    {
        public IReadOnlyList<DeliveryRecord>? Records { get; } = records;
        public DeliveryRecord? Update { get; } = update;
        public IReadOnlyList<DeliveryRecord>? Added { get; set; }
        public int Weight => Records?.Count ?? 1;
    }
}
