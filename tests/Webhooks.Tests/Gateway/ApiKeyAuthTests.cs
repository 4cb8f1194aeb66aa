using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Api;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Webhooks.Gateway.Auth;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Gateway;

/// <summary>API keys through the real gateway, over gRPC and JSON: every RPC answers each kind of caller as its role
/// allows (no key or an unknown one: UNAUTHENTICATED / 401; a role that may not: PERMISSION_DENIED / 403), health stays
/// open, keys reload from their file, and a key printed by new-key works.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ApiKeyAuthTests(ClusterFixture fixture)
{
    private const string AdminKey = "whk_admin-test-key";
    private const string ReaderKey = "whk_reader-test-key";
    private const string PublisherKey = "whk_publisher-test-key";

    // What each role may call, as the API promises it (not read from the code under test).
    private static readonly HashSet<string> PublisherRpcs = ["webhooks.v1.Events/Publish", "webhooks.v1.Events/PublishBatch"];

    private static readonly HashSet<string> ReaderRpcs =
    [
        "webhooks.v1.Endpoints/GetEndpoint", "webhooks.v1.Endpoints/ListEndpoints", "webhooks.v1.Endpoints/GetEndpointState",
        "webhooks.v1.Endpoints/ListEndpointStates", "webhooks.v1.Endpoints/WatchEndpointStates", "webhooks.v1.Webhooks/GetWebhook", "webhooks.v1.Webhooks/ListWebhooks",
        "webhooks.v1.Webhooks/ListDeadLetters", "webhooks.v1.Webhooks/TestWebhook",
        "webhooks.v1.Deliveries/ListDeliveries", "webhooks.v1.Deliveries/GetDelivery",
        "webhooks.v1.Config/ExportConfig", "webhooks.v1.Config/ConvertNetBoxConfig",
    ];

    private static readonly (string Caller, string? Key)[] Callers =
    [
        ("no key", null), ("an unknown key", "whk_not-configured"), ("publisher", PublisherKey), ("reader", ReaderKey), ("admin", AdminKey),
    ];

    private static IEnumerable<MethodDescriptor> Rpcs => ApiRpcs.All;

    private static Dictionary<string, string?> Keys => new()
    {
        ["Auth:Keys:0:Name"] = "ops", ["Auth:Keys:0:Role"] = "admin", ["Auth:Keys:0:Sha256"] = Sha256(AdminKey),
        ["Auth:Keys:1:Name"] = "dashboard", ["Auth:Keys:1:Role"] = "reader", ["Auth:Keys:1:Sha256"] = Sha256(ReaderKey),
        ["Auth:Keys:2:Name"] = "netbox", ["Auth:Keys:2:Role"] = "publisher", ["Auth:Keys:2:Sha256"] = Sha256(PublisherKey),
    };

    [Fact]
    public async Task EveryRpcOverGrpc_AnswersEachCallerAsItsRoleAllows()
    {
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, Keys);
        var wrong = new List<string>();
        foreach (var rpc in Rpcs)
        {
            foreach (var (caller, key) in Callers)
            {
                // An empty message: a request every RPC refuses or answers without changing anything.
                var status = await CallAsync(gateway.Channel, rpc, key);
                var expected = Expected(rpc, caller);
                if (expected is { } code ? status != code : status is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
                {
                    wrong.Add($"{rpc.FullName} as {caller}: {status}, expected {expected?.ToString() ?? "neither UNAUTHENTICATED nor PERMISSION_DENIED"}");
                }
            }
        }

        Assert.Empty(wrong);
        Assert.Equal(30, Rpcs.Count());
    }

    [Fact]
    public async Task EveryRpcOverJson_AnswersEachCallerAsItsRoleAllows()
    {
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, Keys);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.HttpUrl) };
        var wrong = new List<string>();
        foreach (var rpc in Rpcs)
        {
            var (method, template, hasBody) = ApiRpcs.Route(rpc);
            var path = System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", "x");
            foreach (var (caller, key) in Callers)
            {
                using var request = new HttpRequestMessage(method, path);
                if (hasBody)
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                if (key is not null)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }

                var (status, _) = await ApiRpcs.SendJsonAsync(http, rpc, request);
                var expected = Expected(rpc, caller) switch
                {
                    StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
                    StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
                    _ => (HttpStatusCode?)null,
                };
                if (expected is { } code ? status != code : status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    wrong.Add($"{method} {path} ({rpc.FullName}) as {caller}: {(int)status}, expected {(expected is { } e ? (int)e : "neither 401 nor 403")}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public async Task HealthNeedsNoKey_ReflectionDoes()
    {
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, Keys);
        using var http = new HttpClient { BaseAddress = new Uri(gateway.HttpUrl) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        var health = await new Health.HealthClient(gateway.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(gateway.Channel);
        using var call = reflection.ServerReflectionInfo();
        // The 401 may arrive while the request is still being written: either step may be the one that fails.
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new() { ListServices = "" });
            await call.ResponseStream.MoveNext();
        });
        // A write that loses the race reports the stream as CANCELLED; the call's own status is the server's answer.
        var status = refused.StatusCode == StatusCode.Unauthenticated
            ? refused.StatusCode
            : (await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext())).StatusCode;
        Assert.Equal(StatusCode.Unauthenticated, status);
    }

    [Fact]
    public async Task ExportWithSecrets_IsForAdmins_WhileReadersExportWithout()
    {
        await using var gateway = await GatewayServer.StartAsync(fixture.Client, Keys);
        var config = new Api.V1.Config.ConfigClient(gateway.Channel);

        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
            await config.ExportConfigAsync(new Api.V1.ExportConfigRequest { IncludeSecrets = true }, new Metadata { { "authorization", $"Bearer {ReaderKey}" } }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        await config.ExportConfigAsync(new Api.V1.ExportConfigRequest(), new Metadata { { "authorization", $"Bearer {ReaderKey}" } });
        await config.ExportConfigAsync(new Api.V1.ExportConfigRequest { IncludeSecrets = true }, new Metadata { { "authorization", $"Bearer {AdminKey}" } });
    }

    [Fact]
    public async Task KeysInTheKeysFile_AreReloadedWhenItChanges()
    {
        var file = Path.Combine(Path.GetTempPath(), $"webhooks-keys-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, KeysJson(("ops", "admin", AdminKey)));
        try
        {
            await using var gateway = await GatewayServer.StartAsync(fixture.Client, new Dictionary<string, string?> { ["Auth:KeysFile"] = file });
            Assert.Equal(StatusCode.OK, await ListEndpointsAsync(gateway, AdminKey));
            Assert.Equal(StatusCode.Unauthenticated, await ListEndpointsAsync(gateway, ReaderKey));

            // The admin key is rotated out, a reader key comes in.
            await File.WriteAllTextAsync(file, KeysJson(("dashboard", "reader", ReaderKey)));
            await Poll.UntilAsync(async () => await ListEndpointsAsync(gateway, ReaderKey) == StatusCode.OK, "the reader key works", TimeSpan.FromSeconds(20));
            Assert.Equal(StatusCode.Unauthenticated, await ListEndpointsAsync(gateway, AdminKey));

            // A broken change is ignored: the keys before it stay in force.
            await File.WriteAllTextAsync(file, KeysJson(("dashboard", "superuser", ReaderKey)));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(StatusCode.OK, await ListEndpointsAsync(gateway, ReaderKey));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AKeyPrintedByNewKey_WorksWithItsRole()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, NewKeyCommand.Run(["--role", "publisher", "--name", "netbox"], output, error));
        var printed = output.ToString();
        var key = printed.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("whk_", StringComparison.Ordinal));
        var settings = printed.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("Auth__Keys__N__", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0].Replace("__N__", "__0__", StringComparison.Ordinal).Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv[1]);
        Assert.Equal(Sha256(key), settings["Auth:Keys:0:Sha256"]);
        Assert.DoesNotContain(key, string.Join(' ', settings.Values), StringComparison.Ordinal);

        await using var gateway = await GatewayServer.StartAsync(fixture.Client, settings);
        var publish = Rpcs.Single(m => m.FullName == "webhooks.v1.Events.Publish");
        Assert.Equal(StatusCode.InvalidArgument, await CallAsync(gateway.Channel, publish, key));
        Assert.Equal(StatusCode.PermissionDenied, await ListEndpointsAsync(gateway, key));
        Assert.Equal(2, NewKeyCommand.Run(["--role", "root", "--name", "x"], output, error));
    }

    [Theory]
    [InlineData("Auth:Keys:0:Role", "root", "Auth:Keys:0:Role must be one of publisher, reader, admin")]
    [InlineData("Auth:Keys:0:Sha256", "ABC", "Auth:Keys:0:Sha256 must be the SHA-256 of the key in 64 lowercase hex digits")]
    [InlineData("Auth:Keys:0:Name", "", "Auth:Keys:0:Name must be 1 to 100 characters")]
    public async Task AnInvalidKeyEntry_StopsTheStart_NamingIt(string setting, string value, string problem)
    {
        var settings = Keys;
        settings[setting] = value;
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayServer.StartAsync(fixture.Client, settings));
        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeys_AndANetworkListener_StopsTheStart()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayServer.StartAsync(fixture.Client, new Dictionary<string, string?> { ["Gateway:HttpUrl"] = "http://0.0.0.0:0" }));
        Assert.Contains("Auth:Keys is empty, and Gateway:GrpcUrl or Gateway:HttpUrl listens beyond loopback", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>null for a caller the role allows; else the status the caller must get.</summary>
    private static StatusCode? Expected(MethodDescriptor rpc, string caller)
    {
        var name = $"{rpc.Service.FullName}/{rpc.Name}";
        return caller switch
        {
            "no key" or "an unknown key" => StatusCode.Unauthenticated,
            "admin" => null,
            "reader" => ReaderRpcs.Contains(name) ? null : StatusCode.PermissionDenied,
            "publisher" => PublisherRpcs.Contains(name) ? null : StatusCode.PermissionDenied,
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
    }

    /// <summary>Calls <paramref name="rpc"/> with an empty request message; the status it ends with.</summary>
    // An empty message: a request every RPC refuses or answers without changing anything.
    private static Task<StatusCode> CallAsync(GrpcChannel channel, MethodDescriptor rpc, string? key) => ApiRpcs.CallAsync(channel, rpc, [], key);

    private static Task<StatusCode> ListEndpointsAsync(GatewayServer gateway, string key) =>
        CallAsync(gateway.Channel, Rpcs.Single(m => m.FullName == "webhooks.v1.Endpoints.ListEndpoints"), key);

    private static string KeysJson(params (string Name, string Role, string Key)[] keys) =>
        $$"""{ "Auth": { "Keys": [ {{string.Join(", ", keys.Select(k => $$"""{ "Name": "{{k.Name}}", "Role": "{{k.Role}}", "Sha256": "{{Sha256(k.Key)}}" }"""))}} ] } }""";

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
