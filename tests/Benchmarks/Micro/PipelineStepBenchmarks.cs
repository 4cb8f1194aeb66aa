using System.Text;
using BenchmarkDotNet.Attributes;
using Fluid;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Engine = Jint.Engine;
using Jint.Native;
using JsonParser = Jint.Native.Json.JsonParser;
using Microsoft.Extensions.Options;
using Webhooks.Conditions;
using Webhooks.Endpoints.Sending;
using Webhooks.Events;
using Webhooks.Templates;
using Webhooks.Rules;

namespace Webhooks.Benchmarks.Micro;

/// <summary>Condition evaluation (Jint) per event and webhook, as WebhookGrain.OnNextAsync does it: a fresh
/// EventContext per event, the webhook's evaluator reused.</summary>
[MemoryDiagnoser]
public class ConditionBenchmarks : IDisposable
{
    private ConditionEvaluator _simple = null!;
    private ConditionEvaluator _changes = null!;
    private ObjectEvent _created = null!;
    private ObjectEvent _updated = null!;

    [GlobalSetup]
    public void Setup()
    {
        _simple = new ConditionEvaluator("data.status.value === 'active' && data.site.slug.startsWith('ams')", new ConditionOptions());
        _changes = new ConditionEvaluator("changes !== null && changes.status !== undefined", new ConditionOptions());
        _created = Samples.Created();
        _updated = Samples.Updated();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _simple?.Dispose();
        _changes?.Dispose();
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public bool Evaluate_DataField() => _simple.Evaluate(new EventContext(_created));

    [Benchmark]
    public bool Evaluate_Changes_UpdatedEvent() => _changes.Evaluate(new EventContext(_updated));

    /// <summary>What one JSON snapshot costs to turn into JS values: Evaluate parses data, prechange,
    /// postchange and changes on every call, in every webhook.</summary>
    [Benchmark]
    public JsValue Jint_ParseOneSnapshot() => _parser.Parse(_created.Data!);

    private readonly Engine _engine = new();
    private JsonParser _parser = null!;

    [GlobalSetup(Target = nameof(Jint_ParseOneSnapshot))]
    public void SetupParse()
    {
        Setup();
        _parser = new JsonParser(_engine);
    }
}

/// <summary>Body template rendering (Fluid), with and without building the event's template model.</summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private const string NetBoxTemplate =
        "{\"text\": \"Device {{ data.name }} ({{ data.device_type.model }}) at {{ data.site.name }} was {{ event }} by {{ username }}; status {{ data.status.label }}\"}";

    private TemplateCompiler _compiler = null!;
    private IFluidTemplate _netBox = null!;
    private IFluidTemplate _bench = null!;
    private ObjectEvent _event = null!;
    private IReadOnlyDictionary<string, object?> _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        _compiler = new TemplateCompiler(Options.Create(new TemplateLimits()));
        _netBox = _compiler.Compile(NetBoxTemplate, "body_template");
        _bench = _compiler.Compile(Workload.EventFactory.BodyTemplate, "body_template");
        _event = Samples.Created();
        _model = new EventContext(_event).TemplateModel;
    }

    [Benchmark(Baseline = true)]
    public string Render_NetBoxStyle_PrebuiltModel() => _compiler.Render(_netBox, _model, "body");

    [Benchmark]
    public string Render_NetBoxStyle_WithModel() => _compiler.Render(_netBox, new EventContext(_event).TemplateModel, "body");

    [Benchmark]
    public IReadOnlyDictionary<string, object?> BuildTemplateModel() => new EventContext(_event).TemplateModel;

    [Benchmark]
    public string Render_BenchBody_PrebuiltModel() => _compiler.Render(_bench, _model, "body");
}

/// <summary>X-Hook-Signature: HMAC-SHA512 of a 1 KB body, lowercase hex.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private byte[] _body = null!;

    [Params(1024, 16 * 1024)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _body = Encoding.UTF8.GetBytes(new string('x', BodyBytes));

    [Benchmark]
    public string Sign() => PayloadSigner.Sign("bench-secret-0", _body);
}

/// <summary>Event serialization: the default body (JSON of the whole event context), the changes diff of an
/// updated event, and the gateway's protobuf Struct → JSON conversion of published data.</summary>
[MemoryDiagnoser]
public class EventSerializationBenchmarks
{
    private ObjectEvent _created = null!;
    private ObjectEvent _updated = null!;
    private Struct _data = null!;

    [GlobalSetup]
    public void Setup()
    {
        _created = Samples.Created();
        _updated = Samples.Updated();
        _data = Struct.Parser.ParseJson(_created.Data);
    }

    [Benchmark(Baseline = true)]
    public string DefaultBody_Created() => new EventContext(_created).DefaultBody;

    [Benchmark]
    public string DefaultBody_Updated_WithChanges() => new EventContext(_updated).DefaultBody;

    [Benchmark]
    public string? ChangesJson_Updated() => new EventContext(_updated).ChangesJson;

    [Benchmark]
    public string Gateway_StructToJson() => JsonFormatter.Default.Format(_data);
}
