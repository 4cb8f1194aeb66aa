using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

/// <summary>Endpoint secrets and header values are write-only through the real gateway: every read (gRPC and JSON,
/// get, list, update) shows "***" and a fingerprint, the receiver gets the real values, and sending "***" back in an
/// update keeps what is stored.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EndpointSecretsTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    private const string Token = "Bearer s3cr3t-token-value";

    [Fact]
    public async Task HeaderValuesAndTheSecret_AreNeverRead_ButAreSent()
    {
        var expectedFingerprint = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("signing-key")))[..8];
        var created = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint
            {
                Name = "secret",
                Url = $"{Receiver.Url}/secret",
                Secret = "signing-key",
                Headers = { new Header { Name = "Authorization", Value = Token }, new Header { Name = "X-Tenant", Value = "blue" } },
            },
        });

        var reads = new List<Endpoint> { created, await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = created.Id }) };
        reads.AddRange((await EndpointsApi.ListEndpointsAsync(new ListEndpointsRequest { PageSize = 1000 })).Endpoints.Where(e => e.Id == created.Id));
        Assert.Equal(3, reads.Count);
        Assert.All(reads, read =>
        {
            Assert.Equal(["***", "***"], read.Headers.Select(h => h.Value));
            Assert.Empty(read.Secret);
            Assert.Equal(expectedFingerprint, read.SecretFingerprint);
        });
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl) };
        var json = await http.GetStringAsync($"/v1/endpoints/{created.Id}");
        Assert.DoesNotContain("s3cr3t", json, StringComparison.Ordinal);
        Assert.DoesNotContain("signing-key", json, StringComparison.Ordinal);

        // Read, change one thing, write back: the masked values keep what is stored.
        var edited = reads[1].Clone();
        edited.Headers[1].Value = "green";
        var updated = await EndpointsApi.UpdateEndpointAsync(new UpdateEndpointRequest { Endpoint = edited, UpdateMask = new FieldMask { Paths = { "headers" } } });
        Assert.Equal(["***", "***"], updated.Headers.Select(h => h.Value));

        var test = await new Api.V1.Deliveries.DeliveriesClient(Gateway.Channel).SendTestEventAsync(new SendTestEventRequest { EndpointId = created.Id });
        Assert.Equal(204, test.Attempts.Single().ResponseStatusCode);
        var arrived = await Receiver.WaitForAsync("/secret", 1);
        Assert.Equal(Token, arrived[0].Header("Authorization"));
        Assert.Equal("green", arrived[0].Header("X-Tenant"));
        Assert.NotNull(arrived[0].Header("X-Hook-Signature"));
    }
}
