using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Webhooks.Rules;
using ContextUse = Webhooks.Rules.ContextUse;

namespace Webhooks.Conditions;

/// <summary>Evaluates one webhook's condition. One instance per grain activation: a Jint engine is not
/// thread-safe, and an activation runs one turn at a time.</summary>
/// <remarks>Sandboxed: strict mode, no CLR access (Jint's default), no eval or Function(), and statement,
/// time, memory, recursion and array-size limits that reset with every call; the built-ins that build large values
/// in one call are size-checked first (<see cref="BoundedBuiltIns"/>).</remarks>
public sealed class ConditionEvaluator : IEventCondition
{
    private readonly Engine _engine;
    private readonly JsValue _function;
    private readonly JsonParser _json;
    private readonly ContextUse _use;

    public ConditionEvaluator(string condition, ConditionOptions options)
    {
        var script = ConditionSource.Wrap(condition, "webhook.condition", options.MaxLength);
        _engine = new Engine(o => o
            .Strict()
            .DisableStringCompilation()
            .MaxStatements(options.MaxStatements)
            .TimeoutInterval(options.Timeout)
            .LimitMemory(options.MemoryBytes)
            .LimitRecursion(options.MaxRecursion)
            .MaxArraySize(options.MaxArraySize)
            .RegexTimeoutInterval(options.Timeout));
        BoundedBuiltIns.Install(_engine, options.MemoryBytes, options.MaxArraySize);
        _engine.Execute(Engine.PrepareScript(script, strict: true));
        _function = _engine.GetValue(ConditionSource.FunctionName);
        _json = new JsonParser(_engine);
        _use = ContextUse.Of(condition);
    }

    /// <summary>True when the condition's value is truthy. Throws <see cref="ConditionException"/> otherwise
    /// failing, including on runaway scripts.</summary>
    public bool Evaluate(EventContext context)
    {
        try
        {
            var e = context.Event;
            // Parsing is most of a condition's cost: only what the condition can reach is parsed.
            JsValue snapshots = JsValue.Undefined;
            if (_use.Snapshots)
            {
                var both = new JsObject(_engine);
                both.Set("prechange", Parse(e.Prechange));
                both.Set("postchange", Parse(e.Postchange));
                snapshots = both;
            }

            JsValue[] arguments =
            [
                e.Event, e.ObjectType, e.ObjectType, context.Timestamp, e.Username, e.RequestId,
                _use.Data ? Parse(e.Data) : JsValue.Undefined, snapshots,
                _use.Changes ? Parse(context.ChangesJson) : JsValue.Undefined, e.ObjectId, e.EventId,
            ];
            return TypeConverter.ToBoolean(_engine.Call(_function, arguments));
        }
        catch (JavaScriptException ex)
        {
            throw new ConditionException($"condition threw: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not ConditionException)
        {
            // Limit violations (statements, time, memory, recursion, sizes), engine errors, and running out of memory
            // should the limits still allow it: all this condition's failure, never one that escapes to the stream
            // and brings the event back for ever.
            throw new ConditionException($"condition failed: {ex.Message}", ex);
        }
    }

    private JsValue Parse(string? json) => json is null ? JsValue.Null : _json.Parse(json);

    public void Dispose() => _engine.Dispose();
}
