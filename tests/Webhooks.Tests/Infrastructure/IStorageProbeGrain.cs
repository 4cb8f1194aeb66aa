namespace Webhooks.Tests.Infrastructure;

/// <summary>A grain that exercises grain storage and reminders, for the durable-mode tests.</summary>
[Alias("webhooks.tests.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    [Alias("Write")]
    Task WriteAsync(string value);

    [Alias("Read")]
    Task<StorageProbeSnapshot> ReadAsync();

    [Alias("Clear")]
    Task ClearAsync();

    [Alias("Deactivate")]
    Task DeactivateAsync();

    [Alias("RegisterReminder")]
    Task RegisterReminderAsync(string name, TimeSpan dueTime, TimeSpan period);

    [Alias("UnregisterReminder")]
    Task UnregisterReminderAsync(string name);
}
