using System.Buffers;
using System.Text;
using System.Text.Json;
using Webhooks.Events;

namespace Webhooks.Rules;

/// <summary>The body DATAGERRY's webhooks send, for receivers written against it: <c>event_time</c>, <c>operation</c>
/// (CREATE, UPDATE, DELETE; a custom event's name in capitals), <c>object_before</c> and <c>object_after</c> (null where
/// the object did not exist), and for updates <c>changes</c> as <c>{"old": [{name, value}], "new": [{name, value}]}</c>
/// over the top-level fields that differ.</summary>
internal static class DatagerryPayload
{
    public static string Write(EventContext context, JsonWriterOptions options)
    {
        var e = context.Event;
        var deleted = e.Event == EventNames.Deleted;
        var before = e.Prechange ?? (deleted ? e.Data : null);
        var after = e.Postchange ?? (deleted ? null : e.Data);
        var buffer = new ArrayBufferWriter<byte>(256 + (before?.Length ?? 0) + (after?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartObject();
            writer.WriteString("event_time", context.Timestamp);
            writer.WriteString("operation", Operation(e.Event));
            WriteObject(writer, "object_before", before);
            WriteObject(writer, "object_after", after);
            writer.WritePropertyName("changes");
            if (e.Event == EventNames.Updated && before is not null && after is not null)
            {
                WriteChanges(writer, before, after);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Operation(string eventName) => eventName switch
    {
        EventNames.Created => "CREATE",
        EventNames.Updated => "UPDATE",
        EventNames.Deleted => "DELETE",
        _ => eventName.ToUpperInvariant(),
    };

    private static void WriteObject(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (string.IsNullOrEmpty(json))
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }

    private static void WriteChanges(Utf8JsonWriter writer, string beforeJson, string afterJson)
    {
        using var before = JsonDocument.Parse(beforeJson);
        using var after = JsonDocument.Parse(afterJson);
        var changed = EventContext.ChangedFields(before.RootElement, after.RootElement);
        writer.WriteStartObject();
        WriteFields(writer, "old", before.RootElement, changed);
        WriteFields(writer, "new", after.RootElement, changed);
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, string name, JsonElement source, List<string> fields)
    {
        writer.WriteStartArray(name);
        foreach (var field in fields)
        {
            writer.WriteStartObject();
            writer.WriteString("name", field);
            EventContext.WriteField(writer, "value", source, field);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
