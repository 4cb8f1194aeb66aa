using System.Text.Json;
using Webhooks.Conditions;
using Webhooks.Events;
using Webhooks.Rules;

namespace Webhooks.Tests.Conditions;

/// <summary>Conditions that try to build huge values, in one built-in call or over statements, stop at the memory
/// limit with a condition error, having allocated a bounded amount; the bounded built-ins still behave as the
/// language defines them.</summary>
public sealed class ConditionBoundsTests
{
    private static readonly ConditionOptions Limits = new();

    // What an evaluation may allocate before it is stopped: the limit, plus one step past it, plus the engine's own.
    private static readonly long MostAllocated = 16 * Limits.MemoryBytes;

    private static EventContext Context() => new(new ObjectEvent
    {
        EventId = "e1",
        ObjectType = "dcim.device",
        Event = "created",
        Data = JsonSerializer.Serialize(new { name = "sw1" }),
    });

    [Theory]
    [InlineData("'x'.repeat(2**28).length > 0")]
    [InlineData("'x'.padStart(2**28).length > 0")]
    [InlineData("'x'.padEnd(2**28, 'ab').length > 0")]
    [InlineData("Array(100000).fill('x'.repeat(1000)).join('').length > 0")]
    [InlineData("String(Array(100000).fill('x'.repeat(1000))).length > 0")]
    [InlineData("`${Array(100000).fill('x'.repeat(1000))}`.length > 0")]
    [InlineData("JSON.stringify(Array(100000).fill('x'.repeat(1000))).length > 0")]
    [InlineData("JSON.stringify({a: Array(100000).fill('x'.repeat(1000))}).length > 0")]
    [InlineData("''.concat(...Array(10000).fill('x'.repeat(1000))).length > 0")]
    [InlineData("'x'.repeat(1000000).replace(/x/g, 'yyyyyyyyyy').length > 0")]
    [InlineData("'x'.repeat(1000000).replaceAll('x', '$&$&$&$&').length > 0")]
    [InlineData("'x'.repeat(1000000).split('').length > 0")]
    [InlineData("'x'.repeat(30000000).replace(/x/g, 'y').length > 0")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) { s = s + s; } return s.length > 0;")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) { s = `${s}${s}`; } return s.indexOf('y') < 0;")]
    [InlineData("const a = []; for (let i = 0; i < 1000000; i++) { a.push('x'.repeat(100)); } return a.length > 0;")]
    public void AConditionThatBuildsAHugeValue_FailsWithinItsMemoryLimit(string condition)
    {
        using var evaluator = new ConditionEvaluator(condition, Limits);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<ConditionException>(() => evaluator.Evaluate(Context()));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < MostAllocated, $"allocated {allocated / (1024 * 1024)} MiB before stopping ({ex.Message})");
    }

    [Theory]
    [InlineData("'ab'.repeat(3) === 'ababab'")]
    [InlineData("'5'.padStart(3, '0') === '005' && '5'.padEnd(3, '-') === '5--'")]
    [InlineData("['a', 'b', null, undefined, 1].join('-') === 'a-b---1'")]
    [InlineData("String(['a', ['b', 'c']]) === 'a,b,c'")]
    [InlineData("JSON.stringify({a: [1, 'x', null], b: {c: true}}) === '{\"a\":[1,\"x\",null],\"b\":{\"c\":true}}'")]
    [InlineData("'a-b-c'.replace('-', '+') === 'a+b-c' && 'a-b-c'.replaceAll('-', '+') === 'a+b+c'")]
    [InlineData("'aXbX'.replace(/X/g, '$&$&') === 'aXXbXX' && 'abc'.replace(/b/, (m) => m.toUpperCase()) === 'aBc'")]
    [InlineData("'a,b'.split(',').length === 2 && 'a'.concat('b', 1) === 'ab1'")]
    [InlineData("data.name.repeat(2) === 'sw1sw1'")]
    public void BoundedBuiltIns_KeepTheirMeaning(string condition)
    {
        using var evaluator = new ConditionEvaluator(condition, Limits);

        Assert.True(evaluator.Evaluate(Context()));
    }

    [Fact]
    public void AScriptCannotCatchTheSizeLimit()
    {
        using var evaluator = new ConditionEvaluator("try { 'x'.repeat(2**28); } catch (e) { return true; } return true;", Limits);

        Assert.Throws<ConditionException>(() => evaluator.Evaluate(Context()));
    }
}
