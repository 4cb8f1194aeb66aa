using System.Text;
using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>One render: the output, the variables in scope, and the limits it runs under (steps, output length,
/// allocation). Jinja2's scoping: <c>set</c> inside a loop body belongs to that iteration; elsewhere to the template.</summary>
internal sealed class RenderState
{
    // How many steps pass between allocation checks: a step allocates little, and the check reads a thread counter.
    private const int AllocationCheckInterval = 32;

    private readonly IReadOnlyDictionary<string, object?> _model;
    private readonly List<Dictionary<string, object?>?> _frames = [null];
    private readonly int _maxSteps;
    private int _steps;

    public RenderState(IReadOnlyDictionary<string, object?> model, RenderBudget budget, JinjaLimits limits)
    {
        _model = model;
        Budget = budget;
        Limits = limits;
        _maxSteps = limits.MaxSteps;
        // A builder grown afresh for every render was a tenth of the bytes the silo allocated per delivery.
        Output = t_cached ?? new StringBuilder(1024);
        t_cached = null;
    }

    // Largest builder a thread keeps between renders.
    private const int MaxKeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>The output; the builder is kept for the thread's next render.</summary>
    public string Finish()
    {
        var text = Output.ToString();
        if (Output.Capacity <= MaxKeptCapacity)
        {
            Output.Clear();
            t_cached = Output;
        }

        return text;
    }

    public StringBuilder Output { get; }

    public RenderBudget Budget { get; }

    public JinjaLimits Limits { get; }

    public int LoopDepth { get; set; }

    public void Write(string text)
    {
        if (Output.Length + text.Length > Budget.MaxChars)
        {
            throw new TemplateLimitException($"the output would be longer than {Budget.MaxChars} characters (Templates:MaxOutputLength)");
        }

        Output.Append(text);
    }

    /// <summary>Counts units of work against the step limit: one per statement, loop iteration, filter or call, and
    /// one per token of the expression a statement evaluates (so that a large expression in a loop counts as large).</summary>
    public void Step(int cost = 1)
    {
        var before = _steps;
        _steps += cost;
        if (_steps > _maxSteps)
        {
            throw new TemplateLimitException($"the template took more than {_maxSteps} steps (Templates:MaxSteps)");
        }

        if (_steps / AllocationCheckInterval != before / AllocationCheckInterval)
        {
            Budget.CheckAllocation();
        }
    }

    /// <summary>Refuses a string (or list) of <paramref name="length"/> before it is built when it is longer than a
    /// render may make.</summary>
    public void CheckLength(long length, string what) => Budget.CheckLength(length, what);

    public object? Lookup(string name)
    {
        for (var i = _frames.Count - 1; i >= 0; i--)
        {
            if (_frames[i] is { } frame && frame.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        if (_model.TryGetValue(name, out var modelValue))
        {
            return modelValue;
        }

        return JinjaGlobals.TryGet(name, out var global) ? global : new Undefined($"'{name}' is undefined");
    }

    public void Assign(string name, object? value)
    {
        var top = _frames.Count - 1;
        (_frames[top] ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
    }

    public void PushFrame() => _frames.Add(null);

    public void PopFrame() => _frames.RemoveAt(_frames.Count - 1);

    /// <summary>Starts a loop iteration's frame afresh: what the previous iteration set is gone.</summary>
    public void ResetFrame() => _frames[^1]?.Clear();

    public static PyException NotCallable(object? value) => value is Undefined undefined
        ? undefined.Fail()
        : PyException.TypeError($"'{PyOps.TypeName(value)}' object is not callable");
}
