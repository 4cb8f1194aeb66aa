using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

[Collection(PostgresClusterCollection.Name)]
public sealed class PostgresMembershipTests(PostgresClusterFixture fixture)
{
    private const int Active = 3;

    [Fact]
    public async Task Silos_Start_BothActiveInOrleansMembershipTable()
    {
        await Poll.UntilAsync(
            async () => await fixture.ScalarAsync<long>(
                "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = @status",
                ("cluster", fixture.ClusterId), ("status", Active)) == 2,
            "both silos are Active in OrleansMembershipTable");

        // Every membership change moved the cluster's version row on (two inserts, then status updates).
        var version = await fixture.ScalarAsync<int>(
            "SELECT Version FROM OrleansMembershipVersionTable WHERE DeploymentId = @cluster", ("cluster", fixture.ClusterId));
        Assert.True(version >= 4, $"membership version {version}");
    }

    [Fact]
    public async Task Client_FindsGateways_ThroughMembershipTable()
    {
        var gateways = await fixture.ScalarAsync<long>(
            "SELECT count(*) FROM OrleansMembershipTable WHERE DeploymentId = @cluster AND Status = @status AND ProxyPort > 0",
            ("cluster", fixture.ClusterId), ("status", Active));
        Assert.True(gateways >= 1);

        var probe = fixture.Client.GetGrain<IStorageProbeGrain>($"gateway-{Guid.NewGuid():N}");
        var snapshot = await probe.ReadAsync();
        Assert.NotEqual(Guid.Empty, snapshot.ActivationId);
    }
}
