namespace Webhooks.Endpoints;

/// <summary>An endpoint's persisted state and every write of it: one write at a time, since sends (disabling the
/// endpoint, the settled mark) write too and interleave with requests at awaits. Also numbers deliveries, reserving
/// sequences in blocks so that a new activation never reuses one.</summary>
internal sealed class EndpointStateWriter(IPersistentState<EndpointGrainState> state) : IDisposable
{
    private const long SequenceBlock = 100_000;

    private readonly SemaphoreSlim _write = new(1, 1);
    private long _nextSequence;

    public EndpointGrainState State => state.State;

    /// <summary>Null when the endpoint does not exist.</summary>
    public EndpointDefinition? Definition => state.State.Definition;

    /// <summary>The sequence the next delivery gets: every one below it has been handed out.</summary>
    public long NextSequence => _nextSequence;

    /// <summary>Continues numbering where the stored reservation ends (state is read after construction).</summary>
    public void Restore() => _nextSequence = state.State.SequenceReservedUpTo;

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        finally
        {
            _write.Release();
        }
    }

    public async ValueTask<long> NextSequenceAsync(CancellationToken cancellationToken)
    {
        if (_nextSequence >= state.State.SequenceReservedUpTo)
        {
            state.State.SequenceReservedUpTo = _nextSequence + SequenceBlock;
            await WriteAsync(cancellationToken);
        }

        return _nextSequence++;
    }

    /// <summary>Deletes the endpoint, leaving a tombstone rather than a cleared record: an endpoint created again
    /// under this id, even in a later activation, must number its deliveries after the old ones (the log's key is
    /// endpoint and sequence) and must never read the old ones back as its own.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken)
    {
        var old = state.State;
        state.State = new EndpointGrainState
        {
            Version = old.Version,
            UrlVersion = old.UrlVersion,
            SequenceReservedUpTo = old.SequenceReservedUpTo,
            SettledBelow = old.SequenceReservedUpTo,
        };
        return WriteAsync(cancellationToken);
    }

    public void Dispose() => _write.Dispose();
}
