using System.Collections.Immutable;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Webhooks.Catalog;
using Webhooks.Endpoints;
using Webhooks.Hosting;
using Webhooks.Rules;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Postgres;

/// <summary>ADO.NET grain storage keeps state as bytes from an IGrainStorageSerializer, not through Orleans' wire
/// format: the product's state classes must survive the one the durable mode configures.</summary>
[Collection(PostgresClusterCollection.Name)]
public sealed class ProductStateSerializationTests(PostgresClusterFixture fixture)
{
    private static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    [Fact]
    public void DefinitionsStorage_UsesTheOrleansSerializer()
    {
        Assert.IsType<OrleansGrainStorageSerializer>(DefinitionsSerializer);
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

        Assert.Equal(Bytes(DefinitionsSerializer, state), Bytes(DefinitionsSerializer, copy));
        Assert.False(copy.Definition!.Enabled);
        Assert.Equal(state.Definition!.EndpointIds.ToArray(), copy.Definition.EndpointIds.ToArray());
        Assert.Equal(state.ActiveSince, copy.ActiveSince);
    }

    [Fact]
    public void EndpointState_RoundTrips()
    {
        var state = Endpoint();

        var copy = RoundTrip(DefinitionsSerializer, state);

        Assert.Equal(Bytes(DefinitionsSerializer, state), Bytes(DefinitionsSerializer, copy));
        Assert.Equal(state.Definition!.Headers.Single(), copy.Definition!.Headers.Single());
        Assert.Equal(state.Definition with { Headers = [] }, copy.Definition with { Headers = [] });
        Assert.Equal(state.SequenceReservedUpTo, copy.SequenceReservedUpTo);
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

    private IGrainStorageSerializer DefinitionsSerializer =>
        ((AdoNetGrainStorage)fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(StorageNames.Definitions)).Serializer;
}
