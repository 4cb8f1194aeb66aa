using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Webhooks.Hosting;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>Calls the silos' ADO.NET grain storage providers directly, for the key shapes and options that the
/// probe grain does not reach.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class PostgresGrainStorageProviderTests(PostgresClusterFixture fixture)
{
    private const string StateName = "provider-tests";

    [Fact]
    public async Task GrainKeys_OfEveryShape_AreStoredApart()
    {
        var storage = Storage(StorageNames.Definitions);
        var type = GrainType.Create("webhooks.tests.keys");
        var guid = Guid.NewGuid();
        var number = Random.Shared.NextInt64(1, long.MaxValue);
        GrainId[] ids =
        [
            GrainId.Create(type, $"string-{guid:N}"),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid)),
            GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid, "extension")),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(number)),
            GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(number, "extension")),
        ];

        foreach (var id in ids)
        {
            var state = new GrainState<StorageProbeState> { State = new StorageProbeState { Value = id.ToString() } };
            await storage.WriteStateAsync(StateName, id, state);
            Assert.Equal("1", state.ETag);
        }

        foreach (var id in ids)
        {
            var state = new GrainState<StorageProbeState>();
            await storage.ReadStateAsync(StateName, id, state);
            Assert.Equal(id.ToString(), state.State?.Value);
            Assert.Equal("1", state.ETag);
            Assert.True(state.RecordExists);
        }
    }

    [Fact]
    public async Task Read_OfAGrainNeverWritten_GivesNoRecordAndNoETag()
    {
        var state = new GrainState<StorageProbeState>();

        await Storage(StorageNames.Definitions).ReadStateAsync(StateName, NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
    }

    [Fact]
    public async Task Clear_WithAStaleETag_ThrowsInconsistentStateException()
    {
        var storage = Storage(StorageNames.Definitions);
        var id = NewGrainId();
        var state = new GrainState<StorageProbeState> { State = new StorageProbeState { Value = "v1" } };
        await storage.WriteStateAsync(StateName, id, state);
        var stale = new GrainState<StorageProbeState> { State = state.State, ETag = state.ETag, RecordExists = true };
        await storage.WriteStateAsync(StateName, id, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, id, stale));
    }

    [Fact]
    public async Task Clear_WithDeleteStateOnClear_DeletesTheRowAndTheNextWriteStartsOver()
    {
        var storage = Storage(PostgresSiloConfigurator.DeleteOnClearStorage);
        var id = NewGrainId();
        var state = new GrainState<StorageProbeState> { State = new StorageProbeState { Value = "v1" } };
        await storage.WriteStateAsync(StateName, id, state);
        await storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("2", state.ETag);

        await storage.ClearStateAsync(StateName, id, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM OrleansStorage WHERE GrainTypeString = @type AND GrainIdExtensionString = @key",
            ("type", StateName), ("key", id.Key.ToString())));

        state.State.Value = "v2";
        await storage.WriteStateAsync(StateName, id, state);
        Assert.Equal("1", state.ETag);
    }

    private IGrainStorage Storage(string name) =>
        fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(name);

    private static GrainId NewGrainId() => GrainId.Create("webhooks.tests.provider", Guid.NewGuid().ToString("N"));
}
