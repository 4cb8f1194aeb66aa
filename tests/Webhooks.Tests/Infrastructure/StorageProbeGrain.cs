using Webhooks.Hosting;

namespace Webhooks.Tests.Infrastructure;

[GrainType("webhooks.tests.storage-probe")]
public sealed class StorageProbeGrain(
    [PersistentState(StorageProbeGrain.StateName, StorageNames.Definitions)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain, IRemindable
{
    /// <summary>The name Orleans passes to grain storage as the grain type (OrleansStorage.GrainTypeString).</summary>
    public const string StateName = "probe";

    private readonly Guid activationId = Guid.NewGuid();

    public async Task WriteAsync(string value)
    {
        state.State.Value = value;
        state.State.History = state.State.History.Add(value);
        state.State.UpdatedAt = DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
    }

    public Task<StorageProbeSnapshot> ReadAsync() => Task.FromResult(new StorageProbeSnapshot(
        state.State.Value,
        state.State.History,
        state.State.UpdatedAt,
        state.State.ReminderTicks,
        state.RecordExists,
        state.Etag,
        activationId));

    public Task ClearAsync() => state.ClearStateAsync();

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task RegisterReminderAsync(string name, TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.ReminderTicks++;
        await state.WriteStateAsync();
    }
}
