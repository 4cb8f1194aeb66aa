using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Webhooks.Postgres;
using Webhooks.Streaming;

namespace Webhooks.Postgres;

/// <summary>Which PostgreSQL queues may have something to read. Every enqueue commit sends a NOTIFY naming its
/// queues; each silo LISTENs on one connection, so pulling agents query only queues that got something (plus a
/// slow idle read for messages becoming visible again), not every queue every few milliseconds.</summary>
internal sealed partial class PostgresQueueSignals(
    PostgresDatabase database,
    IOptions<EventQueueOptions> options,
    TimeProvider time,
    ILogger<PostgresQueueSignals> logger) : BackgroundService
{
    public const string Channel = "webhooks_event_queue";

    /// <summary>Notification payload meaning "every queue".</summary>
    public const string AllQueues = "*";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, QueueSignal> _queues = new(StringComparer.Ordinal);
    private readonly long _idleTicks = (long)(options.Value.IdleReadInterval.TotalSeconds * time.TimestampFrequency);

    public static string Key(string provider, int queueId) => string.Concat(provider, ":", queueId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Signal(string key) => Queue(key).Pending = 1;

    /// <summary>True when the queue should be read now: it was signalled (the signal is consumed) or has not been
    /// read for the idle interval.</summary>
    public bool ShouldRead(string key)
    {
        var queue = Queue(key);
        var now = time.GetTimestamp();
        if (Interlocked.Exchange(ref queue.Pending, 0) == 1 || now - Volatile.Read(ref queue.LastRead) >= _idleTicks)
        {
            Volatile.Write(ref queue.LastRead, now);
            return true;
        }

        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenUnpooledConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything committed while nobody listened is found by reading every queue once.
                SignalAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(logger, ex, ReconnectDelay.TotalSeconds);
                SignalAll();
                await Task.Delay(ReconnectDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Payload == AllQueues)
        {
            SignalAll();
            return;
        }

        foreach (var key in e.Payload.Split(','))
        {
            Signal(key);
        }
    }

    private void SignalAll()
    {
        foreach (var queue in _queues.Values)
        {
            queue.Pending = 1;
        }
    }

    private QueueSignal Queue(string key) => _queues.GetOrAdd(key, static _ => new QueueSignal());

    private sealed class QueueSignal
    {
        public int Pending = 1;
        public long LastRead;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for event queue notifications failed; reconnecting in {Seconds} s")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, double seconds);
}
