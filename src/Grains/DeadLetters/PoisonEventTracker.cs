namespace Webhooks.DeadLetters;

/// <summary>Counts how each event a webhook could not process failed, and says when one has failed the same way
/// often enough, for long enough, to be set aside (<see cref="PoisonEventOptions"/>).</summary>
/// <remarks>Not thread-safe: the webhook grain's turns use it one at a time. In memory only: after a restart an
/// event starts counting again, which delays setting it aside but never loses it.</remarks>
internal sealed class PoisonEventTracker(PoisonEventOptions options, TimeProvider time)
{
    // Events failing at once are those of a batch or two; more than this means the counts are stale.
    private const int MaxTracked = 1024;
    private const int MaxErrorLength = 1000;

    private readonly Dictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    public int Tracked => _failures.Count;

    /// <summary>Counts a failure of <paramref name="eventId"/>; a different kind of failure starts the count again.</summary>
    /// <returns>The failure as recorded, with <see cref="PoisonFailure.IsPoison"/> set when the event is to be set aside
    /// (its count is then dropped).</returns>
    public PoisonFailure Record(string eventId, Exception exception)
    {
        var now = time.GetUtcNow();
        var kind = exception.GetType().FullName ?? exception.GetType().Name;
        if (!_failures.TryGetValue(eventId, out var failures) || failures.Kind != kind)
        {
            if (_failures.Count >= MaxTracked)
            {
                _failures.Clear();
            }

            failures = new Failures(kind, 0, now);
        }

        failures = failures with { Count = failures.Count + 1 };
        var poison = failures.Count >= options.Attempts && now - failures.First >= options.After;
        if (poison)
        {
            _failures.Remove(eventId);
        }
        else
        {
            _failures[eventId] = failures;
        }

        var error = $"{kind}: {exception.Message}";
        return new PoisonFailure(poison, failures.Count, failures.First, error.Length > MaxErrorLength ? error[..MaxErrorLength] : error);
    }

    public void Forget(string eventId) => _failures.Remove(eventId);

    private readonly record struct Failures(string Kind, int Count, DateTimeOffset First);
}

/// <summary>One failure of an event as <see cref="PoisonEventTracker"/> counted it.</summary>
internal readonly record struct PoisonFailure(bool IsPoison, int Failures, DateTimeOffset FirstFailedAt, string Error);
