using System.Text.Json;

namespace Webhooks.Tests.Conditions;

/// <summary>netbox-condition-cases.json: NetBox's condition test cases as data. <c>data</c> is the whole context a
/// condition sees (the object's fields, and <c>snapshots</c> where the case has them); <c>{"__absent__": true}</c>
/// marks an event that carried no data; <c>expect</c> is true, false or "invalid".</summary>
public static class NetBoxConditionCases
{
    private static readonly Lazy<IReadOnlyList<Entry>> Loaded = new(Load);

    public static IReadOnlyList<Entry> All => Loaded.Value;

    public static Entry Get(string name) => All.Single(e => e.Name == name);

    private static List<Entry> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conditions", "netbox-condition-cases.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return [.. document.RootElement.EnumerateArray().Select(e => new Entry(
            e.GetProperty("name").GetString()!,
            e.GetProperty("conditions").GetRawText(),
            e.GetProperty("valid").GetBoolean(),
            [.. e.GetProperty("cases").EnumerateArray().Select(c => new Case(
                c.GetProperty("data").Clone(),
                c.GetProperty("expect").ValueKind switch
                {
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => c.GetProperty("expect").GetString()!,
                }))]))];
    }

    public sealed record Entry(string Name, string Conditions, bool Valid, IReadOnlyList<Case> Cases);

    public sealed record Case(JsonElement Data, string Expect);
}
