using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Config;

/// <summary>Import with prune deletes what the document does not name (webhooks before the endpoints they used), on a
/// cluster of its own: prune would delete other tests' resources on a shared one.</summary>
public sealed class ConfigPruneTests(ClusterFixture fixture) : GatewayTest(fixture.Client), IClassFixture<ClusterFixture>
{
    private Api.V1.Config.ConfigClient ConfigApi => new(Gateway.Channel);

    [Fact]
    public async Task Prune_DeletesWhatTheDocumentLeavesOut_AfterADryRunThatOnlySaysSo()
    {
        var full = new ConfigDocument
        {
            Endpoints = { Endpoint("keep-ep"), Endpoint("gone-ep") },
            Webhooks = { Webhook("keep-wh", "keep-ep"), Webhook("gone-wh", "gone-ep") },
        };
        await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = full });
        var kept = new ConfigDocument { Endpoints = { full.Endpoints[0] }, Webhooks = { full.Webhooks[0] } };

        var dry = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = kept, Prune = true, DryRun = true });
        Assert.Equal(
            ["endpoint keep-ep Unchanged", "webhook keep-wh Unchanged", "webhook gone-wh Delete", "endpoint gone-ep Delete"],
            dry.Changes.Select(c => $"{c.Kind} {c.Id} {c.Action}"));
        Assert.Equal("gone-ep", (await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = "gone-ep" })).Id);

        // Without prune, what the document leaves out stays.
        var plain = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = kept });
        Assert.DoesNotContain(plain.Changes, c => c.Action == ImportChange.Types.Action.Delete);

        var pruned = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = kept, Prune = true });
        Assert.Equal(dry.Changes, pruned.Changes);
        foreach (var (get, what) in new (Func<Task>, string)[]
        {
            (async () => await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = "gone-ep" }), "endpoint"),
            (async () => await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = "gone-wh" }), "webhook"),
        })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(get);
            Assert.True(missing.StatusCode == StatusCode.NotFound, $"the pruned {what} is still there");
        }

        var export = await ConfigApi.ExportConfigAsync(new ExportConfigRequest());
        Assert.Equal(["keep-ep"], export.Endpoints.Select(e => e.Id));
        Assert.Equal(["keep-wh"], export.Webhooks.Select(w => w.Id));

        // A webhook may not keep an endpoint that prune would delete.
        var dangling = new ConfigDocument { Webhooks = { full.Webhooks[0] } };
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = dangling, Prune = true }));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("document.webhooks[0].endpoint_ids", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RandomImports_GetCleanErrors_AndWhatIsStoredStaysExportable()
    {
        var random = new Random(20261207);
        var rpc = Api.V1.Config.Descriptor.FindMethodByName("ImportConfig");
        var unclean = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var (payload, what) = Webhooks.Tests.Gateway.FuzzTests.Payload(random, rpc.InputType, i);
            var status = await ApiRpcs.CallAsync(Gateway.Channel, rpc, payload);
            if (status is StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss)
            {
                unclean.Add($"#{i} ({what}): {status} for {Webhooks.Tests.Gateway.FuzzTests.Describe(rpc.InputType, payload)}");
            }
        }

        Assert.True(unclean.Count == 0, string.Join("\n", unclean.Take(20)));
        var export = await ConfigApi.ExportConfigAsync(new ExportConfigRequest { IncludeSecrets = true });
        var again = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = export, DryRun = true });
        Assert.All(again.Changes, c => Assert.Equal(ImportChange.Types.Action.Unchanged, c.Action));
    }

    private Endpoint Endpoint(string id) => new() { Id = id, Name = id, Url = $"{Receiver.Url}/{id}" };

    private static Webhook Webhook(string id, string endpointId) => new()
    {
        Id = id, Name = id, ObjectTypes = { "dcim.device" }, Events = { "created" }, EndpointIds = { endpointId },
    };
}
