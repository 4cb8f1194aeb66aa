using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Webhooks.Catalog;
using Webhooks.DeadLetters;
using Webhooks.Endpoints;
using Webhooks.Hosting;
using Webhooks.Rules;
using Webhooks.Secrets;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>ADO.NET grain storage keeps state as bytes from an IGrainStorageSerializer, not through Orleans' wire
/// format: the product's state classes must survive the one the durable mode configures, which seals Orleans'
/// binary format with Secrets:Key.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class ProductStateSerializationTests(PostgresClusterFixture fixture)
{
    private static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void DefinitionsStorage_SealsTheOrleansSerializer()
    {
        Assert.IsType<SealedGrainStorageSerializer>(DefinitionsSerializer);
    }

    [Fact]
    public void SealedState_HoldsNothingInTheClear_AndRoundTrips()
    {
        var state = Endpoint();

        var stored = Bytes(DefinitionsSerializer, state);

        Assert.Contains("s3cret", Encoding.UTF8.GetString(Bytes(Plain, state)), StringComparison.Ordinal);
        foreach (var clear in new[] { "s3cret", "X-Key", "slack", "example.invalid" })
        {
            Assert.DoesNotContain(clear, Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        }

        Assert.NotEqual(stored, Bytes(DefinitionsSerializer, state));
        Assert.Equal("s3cret", RoundTrip(DefinitionsSerializer, state).Definition!.Secret);
    }

    [Fact]
    public void RotatedKeys_ReadWhatTheOldKeySealed_AndAMissingKeyIsNamed()
    {
        var oldKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(b => (byte)b).ToArray());
        var newKey = Convert.ToBase64String(Enumerable.Range(200, 32).Select(b => (byte)b).ToArray());
        var before = Sealed(oldKey);
        var afterRotation = Sealed(newKey, oldKey);
        var withoutOldKey = Sealed(newKey);
        var stored = before.Serialize(Endpoint());

        Assert.Equal("s3cret", afterRotation.Deserialize<EndpointGrainState>(stored)!.Definition!.Secret);
        Assert.Equal("s3cret", afterRotation.Deserialize<EndpointGrainState>(afterRotation.Serialize(Endpoint()))!.Definition!.Secret);
        var missing = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => withoutOldKey.Deserialize<EndpointGrainState>(stored));
        Assert.Contains("Secrets:PreviousKeys", missing.Message, StringComparison.Ordinal);
        Assert.Throws<System.Security.Cryptography.AuthenticationTagMismatchException>(() =>
            before.Deserialize<EndpointGrainState>(new BinaryData(Tamper(stored.ToArray()))));
    }

    [Fact]
    public void RowsWrittenBeforeSealing_AreStillRead()
    {
        var plain = Plain.Serialize(Endpoint());

        Assert.Equal("s3cret", DefinitionsSerializer.Deserialize<EndpointGrainState>(plain)!.Definition!.Secret);
    }

    [Fact]
    public void CatalogState_RoundTrips_KeepingItsOrdinalComparer()
    {
        var state = new CatalogGrainState { Ids = ImmutableSortedSet.Create(StringComparer.Ordinal, "b", "a", "B", "é", "Z") };

        var copy = RoundTrip(DefinitionsSerializer, state);

        Assert.Equal(["B", "Z", "a", "b", "é"], copy.Ids.ToArray());
        Assert.Same(StringComparer.Ordinal, copy.Ids.KeyComparer);
    }

    [Fact]
    public void WebhookState_RoundTrips()
    {
        var state = Webhook();

        var copy = RoundTrip(DefinitionsSerializer, state);

        Assert.Equal(Bytes(Plain, state), Bytes(Plain, copy));
        Assert.False(copy.Definition!.Enabled);
        Assert.Equal(state.Definition!.EndpointIds.ToArray(), copy.Definition.EndpointIds.ToArray());
        Assert.Equal(state.ActiveSince, copy.ActiveSince);
    }

    [Fact]
    public void EndpointState_RoundTrips()
    {
        var state = Endpoint();

        var copy = RoundTrip(DefinitionsSerializer, state);

        Assert.Equal(Bytes(Plain, state), Bytes(Plain, copy));
        Assert.Equal(state.Definition!.Headers.Single(), copy.Definition!.Headers.Single());
        Assert.Equal(state.Definition with { Headers = [] }, copy.Definition with { Headers = [] });
        Assert.Equal(state.SequenceReservedUpTo, copy.SequenceReservedUpTo);
    }

    [Fact]
    public void DeadLetterState_RoundTrips_WithItsEventsSealed()
    {
        var state = new DeadLetterGrainState
        {
            Items =
            [
                new DeadLetter
                {
                    Event = new Events.ObjectEvent
                    {
                        EventId = "e1", ObjectType = "dcim.device", Event = "created", Data = "{\"serial\":\"SN-4711\"}", AcceptedAt = Created,
                    },
                    Error = "System.InvalidOperationException: boom",
                    Failures = 5,
                    FirstFailedAt = Created,
                    DeadLetteredAt = Created.AddSeconds(30),
                },
            ],
        };

        var stored = Bytes(DefinitionsSerializer, state);
        var copy = RoundTrip(DefinitionsSerializer, state);

        Assert.DoesNotContain("SN-4711", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
        Assert.Equal(state.Items.Single(), copy.Items.Single());
    }

    /// <summary>Why the durable mode must not keep Orleans' default: its Newtonsoft settings omit values equal to
    /// the CLR default, and property initializers then win on the way back.</summary>
    [Fact]
    public void DefaultJsonSerializer_LosesValuesEqualToTheClrDefault()
    {
        var json = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>();
        Assert.IsType<JsonGrainStorageSerializer>(json);

        var webhook = RoundTrip(json, Webhook());
        var endpoint = RoundTrip(json, Endpoint());

        Assert.True(webhook.Definition!.Enabled);
        Assert.True(endpoint.Definition!.SslVerification);
        Assert.Contains("\"$type\":\"Webhooks.Rules.WebhookDefinition, Webhooks.Grains.Interfaces\"",
            Encoding.UTF8.GetString(Bytes(json, Webhook())), StringComparison.Ordinal);
    }

    private static WebhookGrainState Webhook() => new()
    {
        Definition = new WebhookDefinition
        {
            Name = "devices",
            Enabled = false,
            ObjectTypes = ["dcim.device", "dcim.*"],
            Events = ["created"],
            Condition = "data.status == 'active'",
            AdditionalHeaders = "X-A: {{ a }}",
            BodyTemplate = "{\"text\": \"{{ data['name'] }}\"}",
            EndpointIds = ["e1", "e2"],
            Description = "d",
        },
        CreatedAt = Created,
        UpdatedAt = Created.AddMinutes(1),
        SubscribedStreams = ["s1"],
        ActiveSince = Created.AddSeconds(1),
    };

    private static EndpointGrainState Endpoint() => new()
    {
        Definition = new EndpointDefinition
        {
            Name = "slack",
            Url = "https://example.invalid/{{ x }}",
            Headers = [new HttpHeader { Name = "X-Key", Value = "v" }],
            Secret = "s3cret",
            SslVerification = false,
            Timeout = TimeSpan.FromMilliseconds(1500),
            MaxInFlight = 4,
            Kind = EndpointKind.Slack,
        },
        CreatedAt = Created,
        UpdatedAt = Created,
        Version = 3,
        UrlVersion = 2,
        SequenceReservedUpTo = 1000,
    };

    private static T RoundTrip<T>(IGrainStorageSerializer serializer, T state) =>
        serializer.Deserialize<T>(serializer.Serialize(state))!;

    private static byte[] Bytes<T>(IGrainStorageSerializer serializer, T state) => serializer.Serialize(state).ToArray();

    private static byte[] Tamper(byte[] bytes)
    {
        bytes[^1] ^= 1;
        return bytes;
    }

    private SealedGrainStorageSerializer Sealed(string key, params string[] previous) =>
        new(Plain, Microsoft.Extensions.Options.Options.Create(new SecretsOptions { Key = key, PreviousKeys = [.. previous] }));

    private OrleansGrainStorageSerializer Plain =>
        ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(fixture.Cluster.GetSiloServiceProvider());

    private IGrainStorageSerializer DefinitionsSerializer =>
        ((AdoNetGrainStorage)fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(StorageNames.Definitions)).Serializer;
}
