using System.ComponentModel.DataAnnotations;
using Webhooks.Endpoints;

namespace Webhooks.Endpoints;

/// <summary>How endpoints queue and retry (configuration section "Delivery").</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Deliveries an endpoint holds in memory (queued plus in flight). In memory mode callers wait while
    /// it is full (the backpressure bound) — as long as the endpoint is getting through (see
    /// <see cref="MaxFailingBacklog"/>); on PostgreSQL further deliveries wait in the database and are read back in
    /// order as room frees up, so a backlog of any size costs this much memory.</summary>
    [Range(1, 1_000_000)] public int QueueCapacity { get; set; } = 1000;

    /// <summary>Memory mode: deliveries a failing (its last attempt failed), paused or disabled endpoint holds
    /// before callers wait. Backpressure lets a slow receiver pace the publishers; a receiver that is not getting
    /// anything cannot, and waiting for it would stall every webhook of the same object types, so such an endpoint
    /// keeps accepting up to this bound instead.</summary>
    [Range(1, 10_000_000)] public int MaxFailingBacklog { get; set; } = 200_000;

    /// <summary>Bytes of deliveries (bodies, URLs, headers) an endpoint holds in memory, whatever their count: past
    /// it, in memory mode callers wait as at the count bounds; on PostgreSQL further deliveries wait in the database.
    /// One delivery is always let in, however large.</summary>
    [Range(1024 * 1024, 16L * 1024 * 1024 * 1024)] public long MaxHeldBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>How long a webhook waits for room at a full endpoint before the event is redelivered later.</summary>
    public TimeSpan EnqueueWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per delivery, the first included, for endpoints without a retry policy of their own;
    /// unset: the retry schedule's length + 1 (8 with the default schedule).</summary>
    [Range(1, 1000)] public int? MaxAttempts { get; set; }

    /// <summary>Wait before retry n (the last value repeats) for endpoints without a retry policy of their own.
    /// Empty by default because configuration binding appends to an array instead of replacing it;
    /// <see cref="RetryPolicy.DefaultSchedule"/> applies then.</summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Random variation of every retry delay (0.2: ±20 %), for endpoints without a policy of their own.</summary>
    [Range(0.0, 1.0)] public double RetryJitter { get; set; } = 0.2;

    /// <summary>Throttling answers (429, 502, 503, 504, timeouts) wait at least this long before the next attempt.</summary>
    public TimeSpan ThrottleMinimumDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an endpoint without a setting of its own may do nothing but fail before it disables itself
    /// (zero: never).</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Most deliveries one ReplayDeliveries call requeues.</summary>
    [Range(1, 1_000_000)] public int MaxReplay { get; set; } = 10_000;

    /// <summary>The retry policy of endpoints that have none of their own.</summary>
    public RetryPolicy DefaultRetryPolicy => new()
    {
        Schedule = RetryDelays.Length == 0 ? RetryPolicy.DefaultSchedule : [.. RetryDelays],
        Jitter = RetryJitter,
        Attempts = MaxAttempts,
    };

    /// <summary>Finished deliveries kept per endpoint in the in-memory log (with their bodies: a large value
    /// makes the heap, and so GC pauses and tail latency, grow).</summary>
    [Range(0, 10_000_000)] public int LogCapacityPerEndpoint { get; set; } = 1000;

    /// <summary>Bytes of finished deliveries (requests and responses) kept per endpoint in the in-memory log; the
    /// oldest go first when either this or <see cref="LogCapacityPerEndpoint"/> is reached.</summary>
    [Range(0, 16L * 1024 * 1024 * 1024)] public long LogMaxBytesPerEndpoint { get; set; } = 16 * 1024 * 1024;

    /// <summary>Recent (event, webhook) pairs an endpoint remembers to drop redelivered requests.</summary>
    [Range(100, 10_000_000)] public int DuplicateWindow { get; set; } = 4096;

    /// <summary>Bytes of a response body read (and later stored) per attempt.</summary>
    [Range(0, 1_000_000)] public int MaxResponseBodyBytes { get; set; } = 20_000;

    /// <summary>PostgreSQL: how often an endpoint with unfinished deliveries is woken up (a reminder) should its
    /// grain have been lost with a silo and nothing else call it.</summary>
    public TimeSpan RecoveryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>PostgreSQL: finished deliveries (and their attempts) older than this are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>PostgreSQL: how often the retention pass runs (on one silo at a time).</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>PostgreSQL: deliveries deleted per retention transaction.</summary>
    [Range(1, 1_000_000)] public int RetentionBatchSize { get; set; } = 5000;

    /// <summary>PostgreSQL: delivery write transactions in flight at once per silo (group commit).</summary>
    [Range(1, 64)] public int Writers { get; set; } = 2;

    /// <summary>PostgreSQL: most rows one delivery write transaction carries.</summary>
    [Range(1, 100_000)] public int MaxRowsPerCommit { get; set; } = 2000;

    /// <summary>CIDR ranges deliveries may reach although they are loopback, link-local, private or otherwise
    /// special (docs/security.md); the service's own listeners stay refused.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>The directory endpoints' ca_file_path names files in; unset: endpoints cannot name CA files.</summary>
    public string? CertificateDirectory { get; set; }

    /// <summary>CIDR ranges deliveries may never reach, on top of the special ranges; wins over AllowedNetworks.</summary>
    public List<string> DeniedNetworks { get; set; } = [];
}
