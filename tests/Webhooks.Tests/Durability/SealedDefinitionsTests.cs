using System.Text;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>On PostgreSQL the stored endpoint holds neither its secret nor its header values in the clear, and a
/// cluster restarted with the same Secrets:Key delivers with them; a cluster with another key cannot read them.</summary>
[Trait("Category", "Durability")]
public sealed class SealedDefinitionsTests : DurableTest
{
    private const string Secret = "whsec-sealed-signing-key";
    private const string Token = "Bearer sealed-bearer-token";

    [Fact]
    public async Task TheDatabaseHoldsNoSecretInTheClear_AndARestartWithTheKeyStillSendsThem()
    {
        string endpoint;
        await using (var first = await Durable.StartAsync())
        {
            endpoint = await new Scenario(first.Client).EndpointAsync($"{Receiver.Url}/sealed", d => d with
            {
                Secret = Secret,
                Headers = [new HttpHeader { Name = "Authorization", Value = Token }],
            });
            await first.StopAllSilosAsync();
        }

        foreach (var clear in new[] { Secret, Token, "Authorization", Receiver.Url })
        {
            Assert.Equal(0L, await Durable.ScalarAsync<long>(
                "SELECT count(*) FROM orleansstorage WHERE position(convert_to(@clear, 'UTF8') in payloadbinary) > 0", ("clear", clear)));
        }

        Assert.True(await Durable.ScalarAsync<long>("SELECT count(*) FROM orleansstorage WHERE payloadbinary IS NOT NULL") > 0);

        await using var second = await Durable.StartAsync();
        await second.Client.GetGrain<IEndpointGrain>(endpoint).SendTestEventAsync();
        var arrived = await Receiver.WaitForAsync("/sealed", 1);
        Assert.Equal(Token, arrived[0].Header("Authorization"));
        // NetBox's signature: HMAC-SHA512 of the body under the secret, which came back from the sealed row.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA512.HashData(Encoding.UTF8.GetBytes(Secret), arrived[0].Body));
        Assert.Equal(expected, arrived[0].Header("X-Hook-Signature"));
    }
}
