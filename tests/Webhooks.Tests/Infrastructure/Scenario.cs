using System.Collections.Immutable;
using System.Text.Json;
using Webhooks.Endpoints;
using Webhooks.Events;
using Webhooks.Rules;

namespace Webhooks.Tests.Infrastructure;

/// <summary>Creates endpoints, webhooks and events through the grains, with names unique per test so that
/// tests sharing a cluster never see each other's traffic.</summary>
public sealed class Scenario(IGrainFactory grains)
{
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..10];
    private int _counter;

    /// <summary>An object type no other test publishes.</summary>
    public string Type(string model = "device") => $"t{_prefix}.{model}";

    public string NewId(string kind) => $"{kind}-{_prefix}-{Interlocked.Increment(ref _counter)}";

    public async Task<string> EndpointAsync(string url, Func<EndpointDefinition, EndpointDefinition>? configure = null)
    {
        var id = NewId("ep");
        var definition = new EndpointDefinition { Name = id, Url = url };
        await grains.GetGrain<IEndpointGrain>(id).CreateAsync(configure is null ? definition : configure(definition));
        return id;
    }

    public async Task<string> WebhookAsync(string objectType, string endpointId, Func<WebhookDefinition, WebhookDefinition>? configure = null) =>
        await WebhookAsync([objectType], [endpointId], configure);

    public async Task<string> WebhookAsync(ImmutableArray<string> objectTypes, ImmutableArray<string> endpointIds, Func<WebhookDefinition, WebhookDefinition>? configure = null)
    {
        var id = NewId("wh");
        var definition = new WebhookDefinition
        {
            Name = id,
            ObjectTypes = objectTypes,
            Events = ["created", "updated", "deleted"],
            EndpointIds = endpointIds,
        };
        await grains.GetGrain<IWebhookGrain>(id).CreateAsync(configure is null ? definition : configure(definition));
        return id;
    }

    public static ObjectEvent Event(string objectType, string eventName, object data, object? prechange = null, object? postchange = null, string username = "jdoe") => new()
    {
        EventId = $"evt-{Guid.NewGuid():N}",
        ObjectType = objectType,
        Event = eventName,
        ObjectId = "1",
        Timestamp = DateTimeOffset.UtcNow,
        Username = username,
        RequestId = $"req-{Guid.NewGuid():N}",
        Data = JsonSerializer.Serialize(data),
        Prechange = prechange is null ? null : JsonSerializer.Serialize(prechange),
        Postchange = postchange is null ? null : JsonSerializer.Serialize(postchange),
    };

    public Task PublishAsync(params ObjectEvent[] events) =>
        Task.WhenAll(events.GroupBy(e => e.ObjectType).Select(g => grains.GetGrain<IObjectTypeGrain>(g.Key).PublishAsync([.. g])));
}
