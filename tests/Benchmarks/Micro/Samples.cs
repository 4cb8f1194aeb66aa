using System.Text.Json;
using Webhooks.Events;

namespace Webhooks.Benchmarks.Micro;

/// <summary>NetBox-like events of about 1 KB, as the gateway hands them to the grains (JSON text).</summary>
internal static class Samples
{
    public static ObjectEvent Created(int n = 42) => new()
    {
        EventId = "evt-" + n,
        ObjectType = "dcim.device",
        Event = "created",
        ObjectId = n.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Timestamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Username = "admin",
        RequestId = "c2b0b3d4-7a8e-4a4e-9d3f-0c1e2f3a4b5c",
        Data = Device(n, "active"),
        Postchange = Device(n, "active"),
    };

    public static ObjectEvent Updated(int n = 42) => Created(n) with
    {
        Event = "updated",
        Prechange = Device(n, "planned"),
        Postchange = Device(n, "active"),
    };

    public static string Device(int n, string status) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = n,
        ["url"] = $"https://netbox.example.com/api/dcim/devices/{n}/",
        ["display"] = $"switch-{n:000}",
        ["name"] = $"switch-{n:000}",
        ["device_type"] = new Dictionary<string, object?> { ["id"] = 7, ["manufacturer"] = new Dictionary<string, object?> { ["id"] = 2, ["name"] = "Juniper", ["slug"] = "juniper" }, ["model"] = "EX4300-48T", ["slug"] = "ex4300-48t" },
        ["role"] = new Dictionary<string, object?> { ["id"] = 3, ["name"] = "Access switch", ["slug"] = "access-switch" },
        ["tenant"] = null,
        ["platform"] = new Dictionary<string, object?> { ["id"] = 1, ["name"] = "Junos", ["slug"] = "junos" },
        ["serial"] = "PE3714AF0123",
        ["asset_tag"] = null,
        ["site"] = new Dictionary<string, object?> { ["id"] = 12, ["name"] = "Amsterdam DC1", ["slug"] = "ams-dc1" },
        ["location"] = new Dictionary<string, object?> { ["id"] = 4, ["name"] = "Hall A" },
        ["rack"] = new Dictionary<string, object?> { ["id"] = 33, ["name"] = "A-07" },
        ["position"] = 21.0,
        ["face"] = new Dictionary<string, object?> { ["value"] = "front", ["label"] = "Front" },
        ["status"] = new Dictionary<string, object?> { ["value"] = status, ["label"] = status == "active" ? "Active" : "Planned" },
        ["primary_ip4"] = new Dictionary<string, object?> { ["id"] = 901, ["address"] = "10.0.12.21/24", ["family"] = 4 },
        ["comments"] = "",
        ["tags"] = new[] { new Dictionary<string, object?> { ["id"] = 1, ["name"] = "core", ["slug"] = "core" } },
        ["custom_fields"] = new Dictionary<string, object?> { ["owner"] = "network-team", ["cost_center"] = 4711 },
        ["created"] = "2024-11-05T10:20:30.123456Z",
        ["last_updated"] = "2025-01-02T03:04:05.000000Z",
    });
}
