using System.Security.Cryptography;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.ProcessHarness;
using Webhooks.Tests.Infrastructure;
using Duration = Google.Protobuf.WellKnownTypes.Duration;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Receivers;

/// <summary>Standard Webhooks signatures, verified by the reference implementation (the standardwebhooks npm package)
/// in a real Node receiver: a generated secret, and a rotation whose overlap sends both signatures, then only the new.</summary>
[Collection(ClusterCollection.Name)]
public sealed class StandardWebhooksTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task GeneratedSecret_SignsWhatTheReferenceVerifies_AndARotationSignsWithBothUntilTheOverlapEnds()
    {
        var port = LoopbackPorts.Free(1)[0];
        var created = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "sw", Url = $"http://127.0.0.1:{port}/hooks", SignatureScheme = Endpoint.Types.SignatureScheme.StandardWebhooks },
        });
        // Generated, and shown this once.
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        var fetched = await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = created.Id });
        Assert.Empty(fetched.Secret);
        Assert.True(fetched.SecretSet);
        Assert.Equal(Endpoint.Types.SignatureScheme.StandardWebhooks, fetched.SignatureScheme);

        var next = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var receiver = await StartVerifierAsync(port, created.Secret, next);
        Assert.Equal("0=ok 1=fail", await SendTestAsync(created.Id));

        var rotated = await EndpointsApi.RotateEndpointSecretAsync(new RotateEndpointSecretRequest
        {
            EndpointId = created.Id, Secret = next, Overlap = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)),
        });
        Assert.Empty(rotated.Secret);
        Assert.NotNull(rotated.PreviousSecretExpireTime);
        Assert.Equal("0=ok 1=ok", await SendTestAsync(created.Id));

        // Once the overlap is over, only the new secret signs.
        await Poll.UntilAsync(async () => await SendTestAsync(created.Id) == "0=fail 1=ok", "only the new secret signing", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task BadSecretsAndNetBoxOverlaps_AreInvalidArgument_NamingTheField()
    {
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "sw", Url = $"{Receiver.Url}/sw", Secret = "plain", SignatureScheme = Endpoint.Types.SignatureScheme.StandardWebhooks },
        }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("endpoint.secret", bad.Status.Detail, StringComparison.Ordinal);

        var netbox = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "nb", Url = $"{Receiver.Url}/nb", Secret = "old" } });
        var overlap = await Assert.ThrowsAsync<RpcException>(async () => await EndpointsApi.RotateEndpointSecretAsync(new RotateEndpointSecretRequest
        {
            EndpointId = netbox.Id, Secret = "new", Overlap = Duration.FromTimeSpan(TimeSpan.FromHours(1)),
        }));
        Assert.Equal(StatusCode.InvalidArgument, overlap.StatusCode);
        Assert.StartsWith("overlap", overlap.Status.Detail, StringComparison.Ordinal);

        // Without an overlap a NetBox endpoint takes the new secret at once.
        var rotated = await EndpointsApi.RotateEndpointSecretAsync(new RotateEndpointSecretRequest { EndpointId = netbox.Id, Secret = "new" });
        Assert.NotEqual(netbox.SecretFingerprint, rotated.SecretFingerprint);
    }

    private async Task<string> SendTestAsync(string endpointId)
    {
        var delivery = await DeliveriesApi.SendTestEventAsync(new SendTestEventRequest { EndpointId = endpointId });
        var attempt = delivery.Attempts.Single();
        Assert.True(attempt.ResponseStatusCode == 200, $"{attempt.ResponseStatusCode} {attempt.Error}");
        return attempt.ResponseBody;
    }

    /// <summary>The Node receiver in the source tree, next to its node_modules (installed here when missing).</summary>
    private static async Task<ChildProcess> StartVerifierAsync(int port, params string[] secrets)
    {
        var directory = ReceiversDirectory();
        var logs = Path.Combine(Path.GetTempPath(), "webhooks-tests");
        if (!File.Exists(Path.Combine(directory, "node_modules", "standardwebhooks", "package.json")))
        {
            await ChildProcess.RunToCompletionAsync("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], Path.Combine(logs, "npm-ci.log"), directory, TimeSpan.FromMinutes(3), CancellationToken.None);
        }

        var process = ChildProcess.Start("standard-webhooks-receiver", "node", [Path.Combine(directory, "standard_webhooks_receiver.js"), $"{port}", .. secrets],
            Path.Combine(logs, $"standard-webhooks-{port}.log"));
        await Poll.UntilAsync(() => process.ReadLog().Contains("listening", StringComparison.Ordinal) || process.HasExited, "the verifying receiver listening");
        Assert.False(process.HasExited, process.Tail(20));
        return process;
    }

    private static string ReceiversDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "Webhooks.Tests", "Receivers");
            }
        }

        throw new InvalidOperationException($"no Orleans.sln above {AppContext.BaseDirectory}");
    }
}
