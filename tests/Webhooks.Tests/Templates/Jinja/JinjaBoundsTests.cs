using Microsoft.Extensions.Options;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Tests.Templates.Jinja;

/// <summary>Jinja2 templates run under the same limits as any template: work (steps), nesting, output and
/// allocation. One that tries to build a huge value or loop for ever stops with a template error, having allocated a
/// bounded amount; one that nests too deeply is refused when saved.</summary>
public sealed class JinjaBoundsTests
{
    private static readonly TemplateLimits Limits = new();
    private readonly TemplateCompiler _templates = new(Options.Create(Limits));

    private static readonly Dictionary<string, object?> Model = new()
    {
        ["data"] = new Dictionary<string, object?>
        {
            ["name"] = "sw1",
            ["big"] = new string('x', 500_000),
            // As in Jinja2, data.items is the dict's method; data['items'] is this list.
            ["items"] = Enumerable.Range(0, 2000).Select(_ => (object?)new string('y', 1000)).ToList(),
        },
    };

    [Theory]
    [InlineData("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}")]
    [InlineData("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}")]
    [InlineData("{{ ('x' * 1000000000) | length }}")]
    [InlineData("{{ (data['items'] * 100000) | length }}")]
    [InlineData("{% for i in range(10000) %}{{ data.big }}{% endfor %}")]
    [InlineData("{% set s %}{% for i in range(10000) %}{{ data.big }}{% endfor %}{% endset %}{{ s | length }}")]
    [InlineData("{{ data.big | replace('x', 'yyyyyyyyyy') | length }}")]
    [InlineData("{{ data['items'] | join(data.big) | length }}")]
    [InlineData("{{ (data['items'] + data['items']) | tojson | length }}")]
    [InlineData("{{ data.big | center(100000000) | length }}")]
    [InlineData("{{ '%0100000000d' | format(1) | length }}")]
    [InlineData("{{ (2 ** 100000000) | string | length }}")]
    [InlineData("{{ range(1000000000) | length }}")]
    [InlineData("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}")]
    [InlineData("{% set ns = namespace(a=[], b=[]) %}{% for i in range(5000) %}{% set ns.a = [ns.a] %}{% set ns.b = [ns.b] %}{% endfor %}{{ ns.a == ns.b }}")]
    [InlineData("{% set ns = namespace(a=[], b=[]) %}{% for i in range(5000) %}{% set ns.a = [ns.a] %}{% set ns.b = [ns.b] %}{% endfor %}{{ [ns.a, ns.b] | sort }}")]
    [InlineData("{{ (2 ** 60000) * (2 ** 60000) }}")]
    [InlineData("{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}")]
    [InlineData("{{ ('9' * 5000) | int }}")]
    [InlineData("{{ [1, 2, 3] | slice(2000000000) | length }}")]
    [InlineData("{{ range(9223372036854775806, 9223372036854775807, 2) | list }}{{ range(10 ** 9) | length }}")]
    [InlineData("{{ (() * 2147483647) | length }}{% for i in range(10000) %}{{ ([] * 2147483647) | length }}{% endfor %}")]
    [InlineData("{% set ns = namespace(a=[1], b=[1]) %}{% for i in range(60) %}{% set ns.a = [ns.a, ns.a] %}{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}")]
    [InlineData("{% set ns = namespace(a=[1]) %}{% for i in range(60) %}{% set ns.a = [ns.a, ns.a] %}{% endfor %}{{ ns.a | length }}{{ ns.a }}")]
    [InlineData("{{ [1] | batch(1000000000, 0) | list | length }}")]
    [InlineData("{{ [1] | tojson(2000000000) }}")]
    [InlineData("{{ ('z' * 65536) | int(0, 36) }}")]
    public void ATemplateThatBuildsAHugeValueOrRunsForEver_FailsWithinItsLimits(string text)
    {
        var template = _templates.Compile(text, "webhook.body_template", TemplateLanguage.Jinja2);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<TemplateException>(() => _templates.Render(template, Model, "body"));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4 * Limits.MaxRenderBytes, $"allocated {allocated / (1024 * 1024)} MiB before stopping ({ex.Message})");
    }

    /// <summary>Deep trees, nested or chained: evaluating them recurses once per level, so they are refused when saved
    /// (Jinja2 itself stops at a few hundred with RecursionError) rather than overflowing the stack when rendered.</summary>
    [Theory]
    [InlineData("{{ X1Y }}", "(", ")", 150)]
    [InlineData("{{ X1Y }}", "[", "]", 150)]
    [InlineData("{{ X1 }}", "not ", "", 150)]
    [InlineData("{{ 1X }}", "", " + 1", 10_000)]
    [InlineData("{{ 1X }}", "", " * 1", 10_000)]
    [InlineData("{{ 'a'X }}", "", " | e", 10_000)]
    [InlineData("{{ dataX }}", "", ".a", 20_000)]
    [InlineData("{{ 1X }}", "", " and 1", 8_000)]
    [InlineData("{{ 1X }}", "", " if 1 else 1", 4_000)]
    public void ATemplateNestedPastTheLimit_IsRefusedWhenSaved(string shape, string before, string after, int times)
    {
        var text = shape.Replace("X", string.Concat(Enumerable.Repeat(before, times)), StringComparison.Ordinal)
            .Replace("Y", string.Concat(Enumerable.Repeat(after, times)), StringComparison.Ordinal);
        if (before.Length == 0)
        {
            text = shape.Replace("X", string.Concat(Enumerable.Repeat(after, times)), StringComparison.Ordinal);
        }

        var error = Assert.Throws<InvalidFieldException>(() => _templates.Compile(text, "webhook.body_template", TemplateLanguage.Jinja2));

        Assert.Equal("webhook.body_template", error.Field);
        Assert.Contains("MaxRecursion", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 }} {{ data.name | upper | lower | title | trim }} {{ (((((1))))) }}", "10 Sw1 1")]
    public void RealisticDepths_StillRender(string text, string expected)
    {
        var template = _templates.Compile(text, "webhook.body_template", TemplateLanguage.Jinja2);

        Assert.Equal(expected, _templates.Render(template, Model, "body"));
    }

    [Theory]
    [InlineData("{{ 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0 }}", "0x")]
    [InlineData("{{ '\\UFFFFFFFF' }}", "escape")]
    public void OversizedOrInvalidLiterals_AreSyntaxErrorsNamingTheField(string text, string reason)
    {
        var hexDigits = text.StartsWith("{{ 0x", StringComparison.Ordinal) ? "{{ 0x" + new string('f', 20_000) + " }}" : text;

        var error = Assert.Throws<InvalidFieldException>(() => _templates.Compile(hexDigits, "webhook.body_template", TemplateLanguage.Jinja2));

        Assert.Equal("webhook.body_template", error.Field);
        Assert.Contains(reason == "0x" ? "bits" : reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% set ns = namespace(s='ab') %}{% for i in range(3) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}", "16")]
    [InlineData("{% set greeting %}Hello {{ data.name }}{% endset %}{{ greeting | upper }}", "HELLO SW1")]
    [InlineData("{{ 'a,b,c'.split(',') | join('-') }}", "a-b-c")]
    [InlineData("{{ data['items'] | length }} {{ data.big | length }}", "2000 500000")]
    [InlineData("{{ 2 ** 64 }}", "18446744073709551616")]
    [InlineData("{{ 1234.5 | round(-1000000000) }} {{ 1234 | round(-1000000000) }} {{ 1250 | round(-2) }}", "0.0 0 1200")]
    public void BoundedTemplates_StillRenderWhatTheyMean(string text, string expected)
    {
        var template = _templates.Compile(text, "webhook.body_template", TemplateLanguage.Jinja2);

        Assert.Equal(expected, _templates.Render(template, Model, "body"));
    }

    [Theory]
    [InlineData("{{ data.name ", "end of template")]
    [InlineData("{% for x in data %}", "endfor")]
    [InlineData("{{ data | nosuchfilter }}", "No filter named 'nosuchfilter'")]
    [InlineData("{% include 'other.html' %}", "'include' tag is not supported")]
    public void SyntaxErrors_AreInvalidFieldNamingTheFieldAndTheReason(string text, string reason)
    {
        var error = Assert.Throws<InvalidFieldException>(() => _templates.Compile(text, "webhook.additional_headers", TemplateLanguage.Jinja2));

        Assert.Equal("webhook.additional_headers", error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
