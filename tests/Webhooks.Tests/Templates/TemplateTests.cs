using System.Text.Json;
using Microsoft.Extensions.Options;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Templates;
using Webhooks.Rules;

namespace Webhooks.Tests.Templates;

/// <summary>Liquid, which definitions stored before Jinja2 keep rendering in, and the default body.</summary>
public sealed class TemplateTests
{
    private readonly TemplateCompiler _templates = new(Options.Create(new TemplateLimits()));

    private static EventContext Context(object data, string username = "jdoe") => new(new ObjectEvent
    {
        EventId = "e1",
        ObjectType = "ipam.ipaddress",
        Event = "created",
        Username = username,
        Data = JsonSerializer.Serialize(data),
    });

    private string Render(string template, EventContext context) =>
        _templates.Render(_templates.Compile(template, "webhook.body_template", TemplateLanguage.Liquid), context.TemplateModel, "body");

    [Fact]
    public void NetBoxDocumentedExample_RendersExactly()
    {
        var output = Render("{\"text\": \"IP address {{ data['address'] }} was created by {{ username }}!\"}", Context(new { address = "192.0.2.1/24" }));

        Assert.Equal("{\"text\": \"IP address 192.0.2.1/24 was created by jdoe!\"}", output);
    }

    [Theory]
    [InlineData("{{ username | upper }}", "JDOE")]
    [InlineData("{{ data.name | lower }}", "sw-01")]
    [InlineData("{{ data.tags | length }}", "2")]
    [InlineData("{{ data.name | tojson }}", "\"SW-01\"")]
    [InlineData("{{ model }}/{{ object_type }}/{{ event }}", "ipam.ipaddress/ipam.ipaddress/created")]
    [InlineData("{% for t in data.tags %}[{{ t.slug }}]{% endfor %}", "[a][b]")]
    public void JinjaStyleFilterAliases_AndContextKeys_Render(string template, string expected)
    {
        var context = Context(new { name = "SW-01", tags = new[] { new { slug = "a" }, new { slug = "b" } } });

        Assert.Equal(expected, Render(template, context));
    }

    [Fact]
    public void Compile_SyntaxError_IsInvalidFieldNamingTheField()
    {
        var error = Assert.Throws<InvalidFieldException>(() => _templates.Compile("{{ data.name ", "webhook.additional_headers", TemplateLanguage.Liquid));

        Assert.Equal("webhook.additional_headers", error.Field);
    }

    [Fact]
    public void Render_RunawayLoop_IsATemplateExceptionNotAHang()
    {
        Assert.Throws<TemplateException>(() => Render("{% for i in (1..100000000) %}x{% endfor %}", Context(new { })));
    }

    [Fact]
    public void DefaultBody_ForCreatedEvent_HasNoChanges_AndEmbedsDataVerbatim()
    {
        var body = JsonDocument.Parse(Context(new { address = "10.0.0.1/24", nested = new { list = new[] { 1, 2 } } }).DefaultBody).RootElement;

        Assert.False(body.TryGetProperty("changes", out _));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("snapshots").GetProperty("prechange").ValueKind);
        Assert.Equal(2, body.GetProperty("data").GetProperty("nested").GetProperty("list")[1].GetInt32());
    }

    [Fact]
    public void DefaultBody_WritesSafeCharactersAsThemselves_NotAsEscapes()
    {
        var context = new EventContext(new ObjectEvent
        {
            EventId = "e1",
            ObjectType = "dcim.device",
            Event = "created",
            Timestamp = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero),
            Username = "jörg+ops",
            Data = """{"name":"sw-01"}""",
        });

        // What a receiver or a person reading the log sees: the timestamp's "+00:00" and the name as written.
        Assert.Contains("\"timestamp\":\"2026-12-07T12:00:00.0000000+00:00\"", context.DefaultBody, StringComparison.Ordinal);
        Assert.Contains("\"username\":\"jörg+ops\"", context.DefaultBody, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", context.DefaultBody, StringComparison.Ordinal);
    }
}
