using Orleans.Storage;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

[Collection(PostgresClusterCollection.Name)]
public sealed class PostgresGrainStorageTests(PostgresClusterFixture fixture)
{
    private const string RowOf = "FROM OrleansStorage " + WhereRow;

    private const string WhereRow = """
        WHERE ServiceId = @service AND GrainTypeString = @type AND GrainIdN0 = 0 AND GrainIdN1 = 0
          AND GrainIdExtensionString = @key
        """;

    [Fact]
    public async Task State_WrittenThenDeactivated_IsReadBackByANewActivation()
    {
        var key = NewKey();
        var probe = fixture.Client.GetGrain<IStorageProbeGrain>(key);
        await probe.WriteAsync("first");
        await probe.WriteAsync("second");
        var written = await probe.ReadAsync();

        await probe.DeactivateAsync();
        var read = await Poll.ForAsync(
            probe.ReadAsync, s => s.ActivationId != written.ActivationId, "a new activation of the probe grain");

        Assert.Equal("second", read.Value);
        Assert.Equal(["first", "second"], read.History.ToArray());
        Assert.Equal(written.UpdatedAt, read.UpdatedAt);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("2", read.ETag);

        var version = await fixture.ScalarAsync<int>($"SELECT Version {RowOf}", Row(key));
        Assert.Equal(2, version);
    }

    [Fact]
    public async Task Write_AfterAnotherWriterMovedTheVersion_ThrowsInconsistentStateException()
    {
        var key = NewKey();
        var probe = fixture.Client.GetGrain<IStorageProbeGrain>(key);
        await probe.WriteAsync("mine");

        // What a second activation (or another silo) writing the same grain in between looks like to this one.
        await fixture.ScalarAsync<int>($"UPDATE OrleansStorage SET Version = Version + 1 {WhereRow} RETURNING Version", Row(key));

        await Assert.ThrowsAsync<InconsistentStateException>(() => probe.WriteAsync("lost"));
        Assert.Equal(2, await fixture.ScalarAsync<int>($"SELECT Version {RowOf}", Row(key)));
    }

    [Fact]
    public async Task FirstWrite_WhenTheRowAppearedMeanwhile_ThrowsInconsistentStateException()
    {
        var key = NewKey();
        var probe = fixture.Client.GetGrain<IStorageProbeGrain>(key);
        var before = await probe.ReadAsync();
        Assert.False(before.RecordExists);
        Assert.Null(before.ETag);

        await fixture.ScalarAsync<int>(
            """
            INSERT INTO OrleansStorage (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary, Version)
            VALUES (@service, @type, 0, 0, @key, NULL, 7)
            RETURNING Version
            """,
            Row(key));

        await Assert.ThrowsAsync<InconsistentStateException>(() => probe.WriteAsync("lost"));
        Assert.Equal(7, await fixture.ScalarAsync<int>($"SELECT Version {RowOf}", Row(key)));
    }

    [Fact]
    public async Task Clear_RemovesTheStateButKeepsAVersion_AndTheGrainCanWriteAgain()
    {
        var key = NewKey();
        var probe = fixture.Client.GetGrain<IStorageProbeGrain>(key);
        await probe.WriteAsync("doomed");

        await probe.ClearAsync();
        var cleared = await probe.ReadAsync();
        Assert.Null(cleared.Value);
        Assert.Empty(cleared.History);
        Assert.False(cleared.RecordExists);
        Assert.Equal("2", cleared.ETag);
        Assert.True(await fixture.ScalarAsync<bool>($"SELECT PayloadBinary IS NULL {RowOf}", Row(key)));

        await probe.DeactivateAsync();
        var reread = await Poll.ForAsync(
            probe.ReadAsync, s => s.ActivationId != cleared.ActivationId, "a new activation of the probe grain");
        Assert.Null(reread.Value);
        Assert.False(reread.RecordExists);
        Assert.Equal("2", reread.ETag);

        await probe.WriteAsync("reborn");
        var rewritten = await probe.ReadAsync();
        Assert.Equal("reborn", rewritten.Value);
        Assert.True(rewritten.RecordExists);
        Assert.Equal("3", rewritten.ETag);
    }

    private static string NewKey() => $"probe-{Guid.NewGuid():N}";

    private (string, object?)[] Row(string key) =>
        [("service", fixture.ServiceId), ("type", StorageProbeGrain.StateName), ("key", key)];
}
