namespace Webhooks.Tests.Infrastructure;

/// <summary>How the multi-process tests publish a batch: the same events again after each failed attempt, with a
/// short, growing back-off, until an attempt returns. Counts the failed attempts by what failed.</summary>
public sealed class PublishRetries
{
    private long _count;

    /// <summary>Attempts that failed and were (or would have been) made again.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Failed attempts by the description the attempt returned.</summary>
    public CountByKey Failures { get; } = new();

    /// <summary>Makes <paramref name="attempt"/> until it returns null (accepted); false when the deadline passes or
    /// <paramref name="stopping"/> holds after a failure first.</summary>
    /// <param name="attempt">One publish: null when it returned, otherwise what failed.</param>
    public async Task<bool> UntilAcceptedAsync(Func<Task<string?>> attempt, DateTime deadline, Func<bool> stopping)
    {
        for (var n = 1; ; n++)
        {
            if (await attempt() is not { } failure)
            {
                return true;
            }

            Failures.Add(failure);
            Interlocked.Increment(ref _count);
            if (DateTime.UtcNow > deadline || stopping())
            {
                return false;
            }

            // The cluster needs a few seconds to declare a killed silo dead or to hand a stopping one's work over.
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 20 * n)));
        }
    }
}
