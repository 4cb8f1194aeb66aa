using System.Diagnostics;
using System.Text.Json;
using Webhooks.Conditions;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Rules;

namespace Webhooks.Tests.Conditions;

public sealed class ConditionEvaluatorTests
{
    private static readonly ConditionOptions Limits = new();

    private static EventContext Context(string eventName = "updated", object? data = null, object? pre = null, object? post = null) => new(new ObjectEvent
    {
        EventId = "e1",
        ObjectType = "dcim.device",
        Event = eventName,
        Username = "jdoe",
        RequestId = "r1",
        Timestamp = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
        Data = JsonSerializer.Serialize(data ?? new { status = new { value = "active" } }),
        Prechange = pre is null ? null : JsonSerializer.Serialize(pre),
        Postchange = post is null ? null : JsonSerializer.Serialize(post),
    });

    private static bool Evaluate(string condition, EventContext context)
    {
        using var evaluator = new ConditionEvaluator(condition, Limits);
        return evaluator.Evaluate(context);
    }

    [Theory]
    [InlineData("data.status.value === 'active'", true)]
    [InlineData("data.status.value === 'planned'", false)]
    [InlineData("event === 'updated' && model === 'dcim.device' && object_type === model", true)]
    [InlineData("username === 'jdoe' && request_id === 'r1' && event_id === 'e1'", true)]
    [InlineData("timestamp.startsWith('2026-01-02T03:04:05')", true)]
    [InlineData("data.status.value === 'active' && snapshots.prechange?.status?.value !== 'active'", true)]
    [InlineData("changes !== null && 'status' in changes", true)]
    [InlineData("const s = data.status.value; return s.length > 3;", true)]
    [InlineData("data.missing?.deep === undefined", true)]
    public void Evaluate_ReadsTheEventContext(string condition, bool expected)
    {
        var context = Context(pre: new { status = new { value = "planned" } }, post: new { status = new { value = "active" } });

        Assert.Equal(expected, Evaluate(condition, context));
    }

    [Fact]
    public void Evaluate_ReusedEngine_KeepsNoStateBetweenEvents()
    {
        using var evaluator = new ConditionEvaluator("data.n === 1", Limits);

        Assert.True(evaluator.Evaluate(Context(data: new { n = 1 })));
        Assert.False(evaluator.Evaluate(Context(data: new { n = 2 })));
        Assert.True(evaluator.Evaluate(Context(data: new { n = 1 })));
    }

    [Theory]
    [InlineData("while(true){}")]
    [InlineData("(function f(){ return f(); })()")]
    [InlineData("new Array(1e9).fill(1).length > 0")]
    [InlineData("eval('1') === 1")]
    [InlineData("Function('return 1')() === 1")]
    [InlineData("data.nope.deeper === 1")]
    [InlineData("System.IO.File.Exists('/etc/passwd')")]
    public void Evaluate_RunawayForbiddenOrThrowingCode_FailsFastWithConditionException(string condition)
    {
        var started = Stopwatch.StartNew();

        Assert.Throws<ConditionException>(() => Evaluate(condition, Context()));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public void Evaluate_AfterARunawayCall_TheSameEngineStillWorks()
    {
        using var evaluator = new ConditionEvaluator("if (data.loop) { while (true) {} } return true;", Limits);

        Assert.Throws<ConditionException>(() => evaluator.Evaluate(Context(data: new { loop = true })));
        Assert.True(evaluator.Evaluate(Context(data: new { loop = false })));
    }

    [Theory]
    [InlineData("data.a ===", "line 1, column 11")]
    [InlineData("data.a === 1 &&\n  (b", "line 2, column 5")]
    [InlineData("if (data) { return 1", "line 1")]
    [InlineData("true); } globalThis.x = 1; function g() { return (1", "line 1")]
    public void Wrap_SyntaxError_NamesTheFieldLineAndColumn(string condition, string position)
    {
        var error = Assert.Throws<InvalidFieldException>(() => ConditionSource.Wrap(condition, "webhook.condition", 1000));

        Assert.Equal("webhook.condition", error.Field);
        Assert.Contains(position, error.Reason, StringComparison.Ordinal);
    }
}
