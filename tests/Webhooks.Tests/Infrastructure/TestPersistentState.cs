namespace Webhooks.Tests.Infrastructure;

/// <summary>Grain state held in the test, for the plain classes a grain owns: counts the writes, and can be made to
/// wait or fail on the next one.</summary>
public sealed class TestPersistentState<T>(T state) : IPersistentState<T>
{
    public T State { get; set; } = state;

    public string? Etag => null;

    public bool RecordExists => true;

    public int Writes { get; private set; }

    /// <summary>Thrown by the next write instead of writing.</summary>
    public Exception? FailNextWrite { get; set; }

    public Task ClearStateAsync() => Task.CompletedTask;

    public Task ReadStateAsync() => Task.CompletedTask;

    public Task WriteStateAsync()
    {
        if (FailNextWrite is { } failure)
        {
            FailNextWrite = null;
            return Task.FromException(failure);
        }

        Writes++;
        return Task.CompletedTask;
    }
}
