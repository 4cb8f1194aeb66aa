using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

[Collection(PostgresClusterCollection.Name)]
public sealed class PostgresReminderTests(PostgresClusterFixture fixture)
{
    [Fact]
    public async Task Reminder_Registered_IsStoredFiresAndIsRemovedWhenUnregistered()
    {
        var key = $"reminder-{Guid.NewGuid():N}";
        var probe = fixture.Client.GetGrain<IStorageProbeGrain>(key);
        var grainId = probe.GetGrainId().ToString();

        await probe.RegisterReminderAsync("tick", TimeSpan.FromSeconds(1), PostgresSiloConfigurator.MinimumReminderPeriod * 2);

        var period = await fixture.ScalarAsync<long>(
            "SELECT Period FROM OrleansRemindersTable WHERE ServiceId = @service AND GrainId = @grain AND ReminderName = 'tick'",
            ("service", fixture.ServiceId), ("grain", grainId));
        Assert.Equal(2000, period);

        await Poll.UntilAsync(async () => (await probe.ReadAsync()).ReminderTicks >= 1, "the reminder fires");

        await probe.UnregisterReminderAsync("tick");
        Assert.Equal(0, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM OrleansRemindersTable WHERE ServiceId = @service AND GrainId = @grain",
            ("service", fixture.ServiceId), ("grain", grainId)));
    }
}
