using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Webhooks.Conditions.NetBox;
using Webhooks.Events;
using Webhooks.Templates;
using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Rules;

/// <summary>The context that conditions and templates see for one event, built lazily and at most once per
/// event: NetBox's keys (event, timestamp, model, username, request_id, data, snapshots) plus event_id,
/// object_type, object_id and, for "updated" events, changes.</summary>
public sealed class EventContext(ObjectEvent e)
{
    // JSON for machines, not for embedding in HTML: '+', '<', '&' and non-ASCII text are written as they are (the
    // default encoder writes "+00:00" as "\u002B00:00").
    private static readonly JsonWriterOptions DefaultBodyOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string? _timestamp;
    private string? _changesJson;
    private bool _changesComputed;
    private string? _defaultBody;
    private Dictionary<string, object?>? _model;
    private Dictionary<string, object?>? _partialModel;
    private Dictionary<string, object?>? _jinjaModel;
    private Dictionary<string, object?>? _partialJinjaModel;
    private ConditionRoot? _conditionRoot;

    public ObjectEvent Event { get; } = e;

    /// <summary>ISO 8601, as NetBox sends it.</summary>
    public string Timestamp => _timestamp ??= Event.Timestamp.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>For "updated" events with both snapshots: {"field": {"prechange": old, "postchange": new}} for
    /// every top-level field whose value differs; otherwise null.</summary>
    public string? ChangesJson
    {
        get
        {
            if (!_changesComputed)
            {
                _changesJson = ComputeChanges(Event);
                _changesComputed = true;
            }

            return _changesJson;
        }
    }

    /// <summary>The body without a body template in DATAGERRY's format (<see cref="DatagerryPayload"/>).</summary>
    public string DatagerryBody => DatagerryPayload.Write(this, DefaultBodyOptions);

    /// <summary>What a NetBox condition set sees: the data's fields, and snapshots beside them.</summary>
    internal ConditionRoot ConditionRoot => _conditionRoot ??= BuildConditionRoot();

    /// <summary>The body sent when a webhook has no body template: the JSON of the whole context.</summary>
    public string DefaultBody => _defaultBody ??= WriteDefaultBody();

    /// <summary>The context as dictionaries and lists, the model templates render against.</summary>
    public IReadOnlyDictionary<string, object?> TemplateModel => _model ??= BuildModel(ContextUse.All, JsonModel.Parse);

    /// <summary>The template model with only the parts <paramref name="use"/> says the templates can reach
    /// parsed (the rest null). Kept apart from <see cref="TemplateModel"/>, which other templates may need whole.</summary>
    public IReadOnlyDictionary<string, object?> TemplateModelFor(ContextUse use) => _model ?? (_partialModel ??= BuildModel(use, JsonModel.Parse));

    /// <summary>The context as Python values (ints and floats apart, as <c>json.loads</c> makes them), the model
    /// Jinja2 templates render against.</summary>
    public IReadOnlyDictionary<string, object?> JinjaModel => _jinjaModel ??= BuildModel(ContextUse.All, PyJson.Parse);

    /// <summary>As <see cref="TemplateModelFor"/>, for Jinja2 templates.</summary>
    public IReadOnlyDictionary<string, object?> JinjaModelFor(ContextUse use) => _jinjaModel ?? (_partialJinjaModel ??= BuildModel(use, PyJson.Parse));

    private ConditionRoot BuildConditionRoot()
    {
        var data = string.IsNullOrEmpty(Event.Data) ? (JsonElement?)null : ParseElement(Event.Data);
        var snapshots = ParseElement($"{{\"prechange\":{Raw(Event.Prechange)},\"postchange\":{Raw(Event.Postchange)}}}");
        return new ConditionRoot(data, hasSnapshots: true, snapshots);

        static string Raw(string? json) => string.IsNullOrEmpty(json) ? "null" : json;

        static JsonElement ParseElement(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
    }

    private string WriteDefaultBody()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Event.Data?.Length ?? 0) + (Event.Prechange?.Length ?? 0) + (Event.Postchange?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer, DefaultBodyOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("event", Event.Event);
            writer.WriteString("event_id", Event.EventId);
            writer.WriteString("timestamp", Timestamp);
            writer.WriteString("model", Event.ObjectType);
            writer.WriteString("object_type", Event.ObjectType);
            writer.WriteString("object_id", Event.ObjectId);
            writer.WriteString("username", Event.Username);
            writer.WriteString("request_id", Event.RequestId);
            WriteRaw(writer, "data", Event.Data);
            writer.WriteStartObject("snapshots");
            WriteRaw(writer, "prechange", Event.Prechange);
            WriteRaw(writer, "postchange", Event.Postchange);
            writer.WriteEndObject();
            if (ChangesJson is { } changes)
            {
                WriteRaw(writer, "changes", changes);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteRaw(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }

    /// <summary>The context with the JSON parts (data, snapshots, changes) read by <paramref name="parse"/>: Liquid's
    /// values or Python's.</summary>
    private Dictionary<string, object?> BuildModel(ContextUse use, Func<string?, object?> parse) => new(StringComparer.Ordinal)
    {
        ["event"] = Event.Event,
        ["event_id"] = Event.EventId,
        ["timestamp"] = Timestamp,
        ["model"] = Event.ObjectType,
        ["object_type"] = Event.ObjectType,
        ["object_id"] = Event.ObjectId,
        ["username"] = Event.Username,
        ["request_id"] = Event.RequestId,
        ["data"] = use.Data ? parse(Event.Data) : null,
        ["snapshots"] = use.Snapshots
            ? new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["prechange"] = parse(Event.Prechange),
                ["postchange"] = parse(Event.Postchange),
            }
            : null,
        ["changes"] = use.Changes ? parse(ChangesJson) : null,
    };

    private static string? ComputeChanges(ObjectEvent e)
    {
        if (e.Event != EventNames.Updated || e.Prechange is null || e.Postchange is null)
        {
            return null;
        }

        using var before = JsonDocument.Parse(e.Prechange);
        using var after = JsonDocument.Parse(e.Postchange);
        if (before.RootElement.ValueKind != JsonValueKind.Object || after.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, DefaultBodyOptions))
        {
            writer.WriteStartObject();
            foreach (var name in ChangedFields(before.RootElement, after.RootElement))
            {
                writer.WriteStartObject(name);
                WriteField(writer, "prechange", before.RootElement, name);
                WriteField(writer, "postchange", after.RootElement, name);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The top-level fields whose values differ between two objects: those of <paramref name="after"/> that are
    /// new or changed, in its order, then those it no longer has.</summary>
    internal static List<string> ChangedFields(JsonElement before, JsonElement after)
    {
        var changed = new List<string>();
        if (before.ValueKind != JsonValueKind.Object || after.ValueKind != JsonValueKind.Object)
        {
            return changed;
        }

        foreach (var property in after.EnumerateObject())
        {
            if (!before.TryGetProperty(property.Name, out var old) || !JsonElement.DeepEquals(old, property.Value))
            {
                changed.Add(property.Name);
            }
        }

        foreach (var property in before.EnumerateObject())
        {
            if (!after.TryGetProperty(property.Name, out _))
            {
                changed.Add(property.Name);
            }
        }

        return changed;
    }

    /// <summary>Writes <paramref name="name"/>'s value in <paramref name="source"/>, or null where it has none.</summary>
    internal static void WriteField(Utf8JsonWriter writer, string property, JsonElement source, string name)
    {
        writer.WritePropertyName(property);
        if (source.ValueKind == JsonValueKind.Object && source.TryGetProperty(name, out var value))
        {
            value.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
