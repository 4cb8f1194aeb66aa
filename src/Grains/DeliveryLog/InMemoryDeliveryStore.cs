using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Webhooks.Deliveries;
using Webhooks.Endpoints;

namespace Webhooks.DeliveryLog;

/// <summary>The embedded default's delivery log: per endpoint, every pending delivery and the most recent
/// finished ones (bounded), in this silo's memory. An endpoint that deactivates and activates again on this
/// silo gets its pending deliveries back; a silo that stops loses them. People read it through
/// <see cref="MemoryDeliveryLog"/>, which asks every silo.</summary>
internal sealed class InMemoryDeliveryStore(IOptions<DeliveryOptions> options) : IDeliveryStore
{
    private readonly ConcurrentDictionary<string, EndpointLog> _logs = new(StringComparer.Ordinal);
    private readonly int _capacity = options.Value.LogCapacityPerEndpoint;
    private readonly long _maxBytes = options.Value.LogMaxBytesPerEndpoint;

    public Task<IReadOnlyList<DeliveryRecord>> AddAsync(IReadOnlyList<DeliveryRecord> records, CancellationToken cancellationToken)
    {
        var added = new List<DeliveryRecord>(records.Count);
        foreach (var record in records)
        {
            if (Log(record.EndpointId).Add(record, _capacity, _maxBytes))
            {
                added.Add(record);
            }
        }

        return Task.FromResult<IReadOnlyList<DeliveryRecord>>(added);
    }

    public Task UpdateAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        Log(record.EndpointId).Update(record, _capacity, _maxBytes);
        return Task.CompletedTask;
    }

    public Task<DeliveryRecord?> GetAsync(string endpointId, long sequence, CancellationToken cancellationToken) =>
        Task.FromResult(_logs.TryGetValue(endpointId, out var log) ? log.Get(sequence) : null);

    public Task<int> FailPendingAsync(string endpointId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_logs.TryGetValue(endpointId, out var log) ? log.FailPending(limit) : 0);

    public Task<IReadOnlyList<DeliveryRecord>> LoadPendingAsync(string endpointId, long afterSequence, long beforeSequence, int limit, long maxBytes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DeliveryRecord>>(_logs.TryGetValue(endpointId, out var log) ? log.Pending(afterSequence, beforeSequence, limit, maxBytes) : []);

    public Task<DeliveryPage> QueryAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        if (query.EndpointId is { } endpointId)
        {
            return Task.FromResult(_logs.TryGetValue(endpointId, out var log) ? log.Query(query) : new DeliveryPage());
        }

        return Task.FromResult(DeliveryPages.Merge([.. _logs.Values.Select(log => log.Query(query))], query.PageSize));
    }

    private EndpointLog Log(string endpointId) => _logs.GetOrAdd(endpointId, static _ => new EndpointLog());

    private sealed class EndpointLog
    {
        private readonly Lock _lock = new();
        private readonly SortedSet<long> _order = [];
        private readonly Dictionary<long, DeliveryRecord> _records = [];
        private readonly HashSet<(string EventId, string WebhookId)> _keys = [];
        private int _finished;
        private long _finishedBytes;

        public bool Add(DeliveryRecord record, int capacity, long maxBytes)
        {
            lock (_lock)
            {
                if (!_keys.Add((record.EventId, record.WebhookId)))
                {
                    return false;
                }

                if (_records.TryAdd(record.Sequence, record))
                {
                    _order.Add(record.Sequence);
                }

                EvictOldestFinished(capacity, maxBytes);
                return true;
            }
        }

        public int FailPending(int limit)
        {
            lock (_lock)
            {
                var failed = 0;
                foreach (var sequence in _order)
                {
                    if (failed == limit)
                    {
                        break;
                    }

                    if (_records[sequence] is { Status: DeliveryStatus.Pending } record)
                    {
                        var failedRecord = record with { Status = DeliveryStatus.Failed, NextAttemptAt = null };
                        _records[sequence] = failedRecord;
                        _finished++;
                        _finishedBytes += DeliverySize.WithAttempts(failedRecord);
                        failed++;
                    }
                }

                return failed;
            }
        }

        public List<DeliveryRecord> Pending(long afterSequence, long beforeSequence, int limit, long maxBytes)
        {
            lock (_lock)
            {
                var pending = new List<DeliveryRecord>();
                long bytes = 0;
                if (beforeSequence - 1 < afterSequence + 1)
                {
                    return pending;
                }

                foreach (var sequence in _order.GetViewBetween(afterSequence + 1, beforeSequence - 1))
                {
                    if (pending.Count == limit || bytes >= maxBytes)
                    {
                        break;
                    }

                    var record = _records[sequence];
                    if (record.Status == DeliveryStatus.Pending)
                    {
                        pending.Add(record);
                        bytes += DeliverySize.Request(record);
                    }
                }

                return pending;
            }
        }

        public void Update(DeliveryRecord record, int capacity, long maxBytes)
        {
            lock (_lock)
            {
                if (_records.TryGetValue(record.Sequence, out var previous))
                {
                    // A redelivery by an operator makes a finished delivery pending again.
                    if (previous.Status != DeliveryStatus.Pending)
                    {
                        _finished--;
                        _finishedBytes -= DeliverySize.WithAttempts(previous);
                    }

                    if (record.Status != DeliveryStatus.Pending)
                    {
                        _finished++;
                        _finishedBytes += DeliverySize.WithAttempts(record);
                    }

                    _records[record.Sequence] = record;
                    EvictOldestFinished(capacity, maxBytes);
                }
            }
        }

        public DeliveryRecord? Get(long sequence)
        {
            lock (_lock)
            {
                return _records.GetValueOrDefault(sequence);
            }
        }

        public DeliveryPage Query(DeliveryQuery query)
        {
            var after = DeliveryCursor.FromToken(query.PageToken);
            var items = ImmutableArray.CreateBuilder<DeliveryRecord>(query.PageSize);
            var more = false;
            lock (_lock)
            {
                foreach (var sequence in _order.Reverse())
                {
                    var record = _records[sequence];
                    if ((after is { } cursor && DeliveryCursor.Of(record).CompareTo(cursor) <= 0) || !query.Matches(record))
                    {
                        continue;
                    }

                    if (items.Count == query.PageSize)
                    {
                        more = true;
                        break;
                    }

                    items.Add(record);
                }
            }

            return new DeliveryPage
            {
                Items = items.ToImmutable(),
                NextPageToken = more ? DeliveryCursor.Of(items[^1]).ToToken() : null,
            };
        }

        /// <summary>Drops the oldest finished deliveries while more than <paramref name="capacity"/> are kept or
        /// they weigh more than <paramref name="maxBytes"/>.</summary>
        private void EvictOldestFinished(int capacity, long maxBytes)
        {
            if (_finished <= capacity && _finishedBytes <= maxBytes)
            {
                return;
            }

            var evicted = new List<long>();
            var finished = _finished;
            var bytes = _finishedBytes;
            foreach (var sequence in _order)
            {
                if (finished <= capacity && bytes <= maxBytes)
                {
                    break;
                }

                if (_records[sequence] is { Status: not DeliveryStatus.Pending } record)
                {
                    evicted.Add(sequence);
                    finished--;
                    bytes -= DeliverySize.WithAttempts(record);
                }
            }

            foreach (var sequence in evicted)
            {
                _order.Remove(sequence);
                _records.Remove(sequence, out var record);
                _keys.Remove((record!.EventId, record.WebhookId));
                _finished--;
                _finishedBytes -= DeliverySize.WithAttempts(record);
            }
        }
    }
}
