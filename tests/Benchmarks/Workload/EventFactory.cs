using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Webhooks.Templates;
using Webhooks.Rules;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Benchmarks.Workload;

/// <summary>Builds the published events and, for the baseline, the exact bodies the service sends for them.</summary>
/// <remarks>Numbers travel as strings in data (a protobuf Struct holds doubles, which JSON could print in
/// exponent form); data.n is a real number for conditions.</remarks>
public sealed class EventFactory
{
    /// <summary>The webhook body template: the receiver finds bench_id and bench_t in it.</summary>
    public const string BodyTemplate =
        "{\"bench_id\":\"{{ data.bench_id }}\",\"bench_t\":\"{{ data.bench_t }}\",\"event\":\"{{ event }}\",\"model\":\"{{ model }}\",\"name\":\"{{ data.name }}\",\"status\":\"{{ data.status.value }}\",\"pad\":\"{{ data.pad }}\"}";

    private readonly string _runId;
    private readonly Scenario _scenario;
    private readonly bool _defaultBody;
    private readonly DateTimeOffset _timestamp;

    public EventFactory(string runId, Scenario scenario, int bodyBytes, bool defaultBody)
    {
        _runId = runId;
        _scenario = scenario;
        _defaultBody = defaultBody;
        // One fixed timestamp: the default body embeds it, and the baseline must send the same bytes.
        _timestamp = DateTimeOffset.UtcNow;
        Pad = "";
        var overhead = Body(0, 0).Length;
        Pad = new string('x', Math.Max(16, bodyBytes - overhead - 8));
    }

    public string Pad { get; private set; }

    public Proto.ObjectEvent Create(int index, long sentTicks)
    {
        var data = new Struct();
        data.Fields[BenchProtocol.IdKey] = Value.ForString(index.ToString(CultureInfo.InvariantCulture));
        data.Fields[BenchProtocol.SentKey] = Value.ForString(sentTicks.ToString(CultureInfo.InvariantCulture));
        data.Fields["n"] = Value.ForNumber(index);
        data.Fields["name"] = Value.ForString(Name(index));
        data.Fields["status"] = Value.ForStruct(new Struct { Fields = { ["value"] = Value.ForString("active") } });
        data.Fields["pad"] = Value.ForString(Pad);
        return new Proto.ObjectEvent
        {
            EventId = EventId(index),
            ObjectType = _scenario.ObjectTypeOf(index),
            Event = "created",
            ObjectId = index.ToString(CultureInfo.InvariantCulture),
            Timestamp = Timestamp.FromDateTimeOffset(_timestamp),
            Username = "bench",
            RequestId = "req-" + index.ToString(CultureInfo.InvariantCulture),
            Data = data,
        };
    }

    /// <summary>Sets the publish time of an event built earlier (just before it is sent).</summary>
    public static void Stamp(Proto.ObjectEvent e, long sentTicks) =>
        e.Data.Fields[BenchProtocol.SentKey] = Value.ForString(sentTicks.ToString(CultureInfo.InvariantCulture));

    public string EventId(int index) => _runId + "-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The body the service sends for this event (any webhook: the body does not depend on it).</summary>
    public string Body(int index, long sentTicks)
    {
        if (_defaultBody)
        {
            return DefaultBody(Create(index, sentTicks));
        }

        var builder = new StringBuilder(Pad.Length + 256);
        builder.Append("{\"bench_id\":\"").Append(index.ToString(CultureInfo.InvariantCulture))
            .Append("\",\"bench_t\":\"").Append(sentTicks.ToString(CultureInfo.InvariantCulture))
            .Append("\",\"event\":\"created\",\"model\":\"").Append(_scenario.ObjectTypeOf(index))
            .Append("\",\"name\":\"").Append(Name(index))
            .Append("\",\"status\":\"active\",\"pad\":\"").Append(Pad).Append("\"}");
        return builder.ToString();
    }

    /// <summary>Renders this event's body the way the service does (its own template engine and event context)
    /// and compares it with <see cref="Body"/>: the baseline is only fair if the bytes are the same.</summary>
    public string? CheckBodyMatchesService()
    {
        const int index = 12345;
        const long ticks = 987654321;
        var expected = ServiceBody(Create(index, ticks));
        var actual = Body(index, ticks);
        return expected == actual ? null : $"baseline body differs from the service's:\n  service:  {Shorten(expected)}\n  baseline: {Shorten(actual)}";
    }

    private string ServiceBody(Proto.ObjectEvent e)
    {
        if (_defaultBody)
        {
            return DefaultBody(e);
        }

        var compiler = new TemplateCompiler(Options.Create(new TemplateLimits()));
        var template = compiler.Compile(BodyTemplate, "body_template", TemplateLanguage.Jinja2);
        return compiler.Render(template, new EventContext(ToDomain(e)).JinjaModel, "body");
    }

    private static string DefaultBody(Proto.ObjectEvent e) => new EventContext(ToDomain(e)).DefaultBody;

    /// <summary>What the gateway makes of a published event (src/Gateway/Mapping/EventMapping.cs).</summary>
    private static Events.ObjectEvent ToDomain(Proto.ObjectEvent e) => new()
    {
        EventId = e.EventId,
        ObjectType = e.ObjectType,
        Event = e.Event,
        ObjectId = e.ObjectId,
        Timestamp = e.Timestamp.ToDateTimeOffset(),
        Username = e.Username,
        RequestId = e.RequestId,
        Data = e.Data is null ? null : JsonFormatter.Default.Format(e.Data),
    };

    private static string Name(int index) => "device-" + index.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
