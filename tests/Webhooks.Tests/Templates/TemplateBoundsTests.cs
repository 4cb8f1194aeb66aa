using Microsoft.Extensions.Options;
using Webhooks.Templates;

namespace Webhooks.Tests.Templates;

/// <summary>Liquid templates (definitions stored before Jinja2) that try to build huge values — doubling a string, capturing it twice, writing it over and over,
/// replacing every character by many — stop with a template error having allocated a bounded amount, instead of
/// building the value and measuring it afterwards.</summary>
public sealed class TemplateBoundsTests
{
    private static readonly TemplateLimits Limits = new();
    private readonly TemplateCompiler _templates = new(Options.Create(Limits));

    private static readonly Dictionary<string, object?> Model = new()
    {
        ["data"] = new Dictionary<string, object?>
        {
            ["name"] = "sw1",
            ["ctl"] = "a\r\nb\0c\td",
            ["big"] = new string('x', 500_000),
            ["items"] = Enumerable.Range(0, 2000).Select(_ => (object?)new string('y', 1000)).ToList(),
        },
    };

    [Theory]
    [InlineData("{% assign s = 'x' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}")]
    [InlineData("{% assign s = 'x' %}{% for i in (1..30) %}{% assign s = s | prepend: s %}{% endfor %}{{ s | size }}")]
    [InlineData("{% assign s = 'x' %}{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}")]
    [InlineData("{% for i in (1..10000) %}{{ data.big }}{% endfor %}")]
    [InlineData("{% capture s %}{% for i in (1..10000) %}{{ data.big }}{% endfor %}{% endcapture %}{{ s | size }}")]
    [InlineData("{{ data.big | replace: 'x', 'yyyyyyyyyy' | size }}")]
    [InlineData("{{ data.items | join: data.big | size }}")]
    [InlineData("{% assign a = data.items | concat: data.items | concat: data.items %}{{ a | json | size }}{{ data.big | split: '' | size }}")]
    [InlineData("{{ data.big | append: data.big | append: data.big | split: '' | size }}")]
    public void ATemplateThatBuildsAHugeValue_FailsWithinItsLimits(string text)
    {
        var template = _templates.Compile(text, "webhook.body_template", TemplateLanguage.Liquid);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<TemplateException>(() => _templates.Render(template, Model, "body"));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4 * Limits.MaxRenderBytes, $"allocated {allocated / (1024 * 1024)} MiB before stopping ({ex.Message})");
    }

    [Theory]
    [InlineData("{% assign s = 'ab' %}{% for i in (1..3) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", "16")]
    [InlineData("{% capture greeting %}Hello {{ data.name }}{% endcapture %}{{ greeting | upcase }}", "HELLO SW1")]
    [InlineData("{{ 'a,b,c' | split: ',' | join: '-' }}", "a-b-c")]
    [InlineData("{{ 'a-b-c' | replace: '-', '+' }} {{ 'a-b-c' | replace_first: '-', '+' }}", "a+b+c a+b-c")]
    [InlineData("{{ data.items | size }} {{ data.big | size }}", "2000 500000")]
    [InlineData("{{ data.ctl | header_safe }}", "abc\td")]
    public void BoundedTemplates_StillRenderWhatTheyMean(string text, string expected)
    {
        var template = _templates.Compile(text, "webhook.body_template", TemplateLanguage.Liquid);

        Assert.Equal(expected, _templates.Render(template, Model, "body"));
    }
}
