using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Webhooks.Deliveries;
using Webhooks.Endpoints;

namespace Webhooks.Rules;

/// <summary>The request body in the shape an endpoint's kind takes: Slack's incoming-webhook message, or for Zapier
/// one flat JSON object of the event; custom endpoints get the webhook's body as rendered.</summary>
internal static class EndpointPayloads
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="templated">Whether the webhook rendered the body from its template (rather than the default).</param>
    public static DeliveryRequest Shape(DeliveryRequest request, EventContext context, bool templated, EndpointRoute route) => route.Kind switch
    {
        EndpointKind.Slack => request with { Body = SlackMessage(templated ? request.Body : Summary(context), route), ContentType = "application/json" },
        EndpointKind.Zapier when !templated => request with { Body = FlatObject(context), ContentType = "application/json" },
        _ => request,
    };

    /// <summary>One line for people: "jdoe created dcim.device sw-core-01".</summary>
    public static string Summary(EventContext context)
    {
        var e = context.Event;
        var name = e.ObjectId;
        if (!string.IsNullOrEmpty(e.Data))
        {
            using var data = JsonDocument.Parse(e.Data);
            foreach (var key in (string[])["display", "name"])
            {
                if (data.RootElement.ValueKind == JsonValueKind.Object && data.RootElement.TryGetProperty(key, out var value)
                    && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                {
                    name = text;
                    break;
                }
            }
        }

        var who = string.IsNullOrEmpty(e.Username) ? "" : e.Username + " ";
        return $"{who}{e.Event} {e.ObjectType} {name}".TrimEnd();
    }

    private static string SlackMessage(string text, EndpointRoute route) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("text", text);
        if (route.SlackChannel.Length > 0)
        {
            writer.WriteString("channel", route.SlackChannel);
        }

        if (route.SlackUsername.Length > 0)
        {
            writer.WriteString("username", route.SlackUsername);
        }

        if (route.SlackIcon.Length > 0)
        {
            writer.WriteString(route.SlackIcon[0] == ':' ? "icon_emoji" : "icon_url", route.SlackIcon);
        }

        writer.WriteEndObject();
    });

    /// <summary>The context's top-level values, and the fields of data and of the snapshots, in one object, nested
    /// keys joined with "__" (data__status__value): what Zapier's fields map one to one. Lists stay lists.</summary>
    private static string FlatObject(EventContext context) => Write(writer =>
    {
        var e = context.Event;
        writer.WriteStartObject();
        writer.WriteString("event", e.Event);
        writer.WriteString("event_id", e.EventId);
        writer.WriteString("timestamp", context.Timestamp);
        writer.WriteString("object_type", e.ObjectType);
        writer.WriteString("object_id", e.ObjectId);
        writer.WriteString("username", e.Username);
        writer.WriteString("request_id", e.RequestId);
        Flatten(writer, "data", e.Data);
        Flatten(writer, "snapshots__prechange", e.Prechange);
        Flatten(writer, "snapshots__postchange", e.Postchange);
        writer.WriteEndObject();
    });

    private static void Flatten(Utf8JsonWriter writer, string prefix, string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return;
        }

        using var document = JsonDocument.Parse(json);
        Flatten(writer, prefix, document.RootElement);
    }

    private static void Flatten(Utf8JsonWriter writer, string prefix, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            writer.WritePropertyName(prefix);
            value.WriteTo(writer);
            return;
        }

        foreach (var property in value.EnumerateObject())
        {
            Flatten(writer, $"{prefix}__{property.Name}", property.Value);
        }
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
