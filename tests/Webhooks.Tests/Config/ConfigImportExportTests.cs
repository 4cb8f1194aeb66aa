using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Config;

/// <summary>The configuration as one document: exported, kept, imported again elsewhere. Import creates, updates and
/// (with prune) deletes by id until what is stored matches; it checks the whole document before storing anything,
/// says per resource what it did or would do (dry run), and a second import of the same document changes nothing.
/// Prune runs on a cluster of its own (<see cref="ConfigPruneTests"/>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConfigImportExportTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    private Api.V1.Config.ConfigClient ConfigApi => new(Gateway.Channel);

    [Fact]
    public async Task ImportingADocument_CreatesThenChangesNothing_AndADryRunStoresNothing()
    {
        var document = Document($"{Prefix}-a", Receiver.Url);

        var dry = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = document, DryRun = true });
        Assert.Equal(["endpoint CREATE", "webhook CREATE"], Describe(dry, Prefix));
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = $"{Prefix}-a-ep" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var first = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = document });
        Assert.Equal(["endpoint CREATE", "webhook CREATE"], Describe(first, Prefix));
        var again = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = document });
        Assert.Equal(["endpoint UNCHANGED", "webhook UNCHANGED"], Describe(again, Prefix));

        // What was imported works: an event reaches the endpoint rendered by the imported template.
        await EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { ObjectType = $"c{Prefix}.device", Event = "created", Data = Struct.Parser.ParseJson("""{"name": "sw1"}""") } });
        Assert.Equal("device sw1", (await Receiver.WaitForAsync($"/{Prefix}-a", 1)).Single().BodyText);
    }

    [Fact]
    public async Task AChangedDocument_UpdatesOnlyTheFieldsThatDiffer_AndAnExportWithoutSecretsKeepsThem()
    {
        var document = Document($"{Prefix}-b", Receiver.Url);
        await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = document });

        // Exported without secrets (no secret, header values "***"), edited, imported: the secret and header stay.
        var exported = await ConfigApi.ExportConfigAsync(new ExportConfigRequest());
        var endpoint = exported.Endpoints.Single(e => e.Id == $"{Prefix}-b-ep");
        Assert.Equal("", endpoint.Secret);
        Assert.Equal("***", endpoint.Headers.Single().Value);
        Assert.Null(endpoint.CreateTime);
        var webhook = exported.Webhooks.Single(w => w.Id == $"{Prefix}-b-wh");
        Assert.Null(webhook.Status);
        endpoint.MaxInFlight = 4;
        webhook.BodyTemplate = "device {{ data.name | upper }}";
        var edited = new ConfigDocument { Endpoints = { endpoint }, Webhooks = { webhook } };

        var changes = await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = edited });
        Assert.Equal(["endpoint UPDATE max_in_flight", "webhook UPDATE body_template"], Describe(changes, Prefix));

        var withSecrets = await ConfigApi.ExportConfigAsync(new ExportConfigRequest { IncludeSecrets = true });
        var stored = withSecrets.Endpoints.Single(e => e.Id == $"{Prefix}-b-ep");
        Assert.Equal("s3cret-" + Prefix, stored.Secret);
        Assert.Equal("token-" + Prefix, stored.Headers.Single().Value);
        Assert.Equal(4, stored.MaxInFlight);
    }

    [Fact]
    public async Task AnInvalidPart_IsRefusedNamingIt_AndNothingOfTheDocumentIsStored()
    {
        var document = Document($"{Prefix}-c", Receiver.Url);
        document.Webhooks.Add(new Webhook { Id = $"{Prefix}-c-bad", Name = "bad", ObjectTypes = { "dcim.device" }, Events = { "created" }, EndpointIds = { $"{Prefix}-c-ep" }, BodyTemplate = "{{ data.name | upcase }}" });

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = document }));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("document.webhooks[1].body_template", refused.Status.Detail, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = $"{Prefix}-c-ep" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var dangling = new ConfigDocument { Webhooks = { Document($"{Prefix}-d", Receiver.Url).Webhooks[0] } };
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = dangling }));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.StartsWith("document.webhooks[0].endpoint_ids", unknown.Status.Detail, StringComparison.Ordinal);

        var masked = Document($"{Prefix}-e", Receiver.Url);
        masked.Endpoints[0].Headers[0].Value = "***";
        var noValue = await Assert.ThrowsAsync<RpcException>(async () => await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = masked }));
        Assert.StartsWith("document.endpoints[0].headers[0].value", noValue.Status.Detail, StringComparison.Ordinal);

        var twice = Document($"{Prefix}-f", Receiver.Url);
        twice.Endpoints.Add(twice.Endpoints[0]);
        var duplicate = await Assert.ThrowsAsync<RpcException>(async () => await ConfigApi.ImportConfigAsync(new ImportConfigRequest { Document = twice }));
        Assert.StartsWith("document.endpoints[1].id", duplicate.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverJson_PostImportThenGetConfig()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl) };
        var document = JsonFormatter.Default.Format(Document($"{Prefix}-g", Receiver.Url));

        var imported = await http.PostAsync("/v1/config:import", new StringContent($$"""{"document": {{document}}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var changes = JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement.GetProperty("changes");
        Assert.Equal(["CREATE", "CREATE"], changes.EnumerateArray().Select(c => c.GetProperty("action").GetString()));

        var exported = await http.GetFromJsonAsync<JsonElement>("/v1/config");
        var endpoint = exported.GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("id").GetString() == $"{Prefix}-g-ep");
        Assert.Equal("***", endpoint.GetProperty("headers")[0].GetProperty("value").GetString());
        Assert.Equal("", endpoint.TryGetProperty("secret", out var secret) ? secret.GetString() : "");
        var withSecrets = await http.GetFromJsonAsync<JsonElement>("/v1/config?includeSecrets=true");
        Assert.Equal("s3cret-" + Prefix, withSecrets.GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("id").GetString() == $"{Prefix}-g-ep").GetProperty("secret").GetString());
    }

    private static ConfigDocument Document(string name, string receiverUrl) => new()
    {
        Endpoints =
        {
            new Endpoint
            {
                Id = $"{name}-ep", Name = name, Url = $"{receiverUrl}/{name}", Secret = "s3cret-" + name.Split('-')[0],
                Headers = { new Header { Name = "X-Token", Value = "token-" + name.Split('-')[0] } },
            },
        },
        Webhooks =
        {
            new Webhook
            {
                Id = $"{name}-wh", Name = name, ObjectTypes = { $"c{name.Split('-')[0]}.device" }, Events = { "created" },
                EndpointIds = { $"{name}-ep" }, BodyTemplate = "device {{ data.name }}",
            },
        },
    };

    private static List<string> Describe(ImportConfigResponse response, string prefix) =>
        [.. response.Changes.Where(c => c.Id.StartsWith(prefix, StringComparison.Ordinal))
            .Select(c => $"{c.Kind} {c.Action.ToString().ToUpperInvariant()}{(c.Fields.Count > 0 ? " " + string.Join(",", c.Fields) : "")}")];
}
