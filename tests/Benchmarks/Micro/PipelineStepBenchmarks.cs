using System.Text;
using BenchmarkDotNet.Attributes;
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

/// <summary>Body template rendering, Jinja2 (the template language) against Liquid (Fluid, kept for definitions stored
/// before Jinja2), with and without building the event's template model.</summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private const string NetBoxTemplate =
        "{\"text\": \"Device {{ data.name }} ({{ data.device_type.model }}) at {{ data.site.name }} was {{ event }} by {{ username }}; status {{ data.status.label }}\"}";

    /// <summary>What NetBox users write beyond plain output: a loop, filters with arguments, a condition.</summary>
    private const string JinjaLoopTemplate =
        "{\"name\": {{ data.name | tojson }}, \"tags\": [{% for t in data.tags %}{{ t.slug | upper | tojson }}{% if not loop.last %}, {% endif %}{% endfor %}], \"site\": \"{{ data.site.name | default('none') }}\"}";

    private const string LiquidLoopTemplate =
        "{\"name\": {{ data.name | json }}, \"tags\": [{% for t in data.tags %}{{ t.slug | upcase | json }}{% unless forloop.last %}, {% endunless %}{% endfor %}], \"site\": \"{{ data.site.name | default: 'none' }}\"}";

    private TemplateCompiler _compiler = null!;
    private CompiledTemplate _liquid = null!;
    private CompiledTemplate _jinja = null!;
    private CompiledTemplate _liquidLoop = null!;
    private CompiledTemplate _jinjaLoop = null!;
    private CompiledTemplate _jinjaBench = null!;
    private ObjectEvent _event = null!;
    private IReadOnlyDictionary<string, object?> _liquidModel = null!;
    private IReadOnlyDictionary<string, object?> _jinjaModel = null!;

    [GlobalSetup]
    public void Setup()
    {
        _compiler = new TemplateCompiler(Options.Create(new TemplateLimits()));
        _liquid = _compiler.Compile(NetBoxTemplate, "body_template", TemplateLanguage.Liquid);
        _jinja = _compiler.Compile(NetBoxTemplate, "body_template", TemplateLanguage.Jinja2);
        _liquidLoop = _compiler.Compile(LiquidLoopTemplate, "body_template", TemplateLanguage.Liquid);
        _jinjaLoop = _compiler.Compile(JinjaLoopTemplate, "body_template", TemplateLanguage.Jinja2);
        _jinjaBench = _compiler.Compile(Workload.EventFactory.BodyTemplate, "body_template", TemplateLanguage.Jinja2);
        _event = Samples.Created();
        _liquidModel = new EventContext(_event).TemplateModel;
        _jinjaModel = new EventContext(_event).JinjaModel;
    }

    [Benchmark(Baseline = true)]
    public string Liquid_NetBoxStyle_PrebuiltModel() => _compiler.Render(_liquid, _liquidModel, "body");

    [Benchmark]
    public string Jinja_NetBoxStyle_PrebuiltModel() => _compiler.Render(_jinja, _jinjaModel, "body");

    [Benchmark]
    public string Liquid_Loop_PrebuiltModel() => _compiler.Render(_liquidLoop, _liquidModel, "body");

    [Benchmark]
    public string Jinja_Loop_PrebuiltModel() => _compiler.Render(_jinjaLoop, _jinjaModel, "body");

    [Benchmark]
    public string Liquid_NetBoxStyle_WithModel() => _compiler.Render(_liquid, new EventContext(_event).TemplateModel, "body");

    [Benchmark]
    public string Jinja_NetBoxStyle_WithModel() => _compiler.Render(_jinja, new EventContext(_event).JinjaModel, "body");

    [Benchmark]
    public string Jinja_BenchBody_PrebuiltModel() => _compiler.Render(_jinjaBench, _jinjaModel, "body");
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
