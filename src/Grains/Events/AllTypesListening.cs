namespace Webhooks.Events;

/// <summary>An object-type grain's view of whether anyone listens to the all-types stream, asked of
/// <see cref="IAllTypesListenersGrain"/> at most once per lease while the type is being published.</summary>
/// <remarks>Not thread-safe: the grain's turns use it one at a time.</remarks>
internal sealed class AllTypesListening(IAllTypesListenersGrain listeners, TimeProvider time)
{
    // A lease is counted from before the question, and ends a tenth early here: the grain that gave it counts from
    // when it answered, on a clock that may run a little differently.
    private const double LeaseShare = 0.9;

    private long _answerUntil;
    private bool _listened = true;

    /// <summary>True when events must also go to the all-types stream; true as well when the answer cannot be had.</summary>
    public async ValueTask<bool> IsListenedAsync()
    {
        var now = time.GetTimestamp();
        if (now < _answerUntil)
        {
            return _listened;
        }

        try
        {
            var answer = await listeners.AskAsync();
            _listened = answer.Listened;
            _answerUntil = now + (long)(answer.Lease.TotalSeconds * LeaseShare * time.TimestampFrequency);
            return _listened;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Writing events nobody reads costs a little; not writing events someone reads loses them.
            _answerUntil = 0;
            return _listened = true;
        }
    }
}
