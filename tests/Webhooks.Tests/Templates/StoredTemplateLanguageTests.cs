using Webhooks.Endpoints;
using Webhooks.Rules;
using Webhooks.Templates;

namespace Webhooks.Tests.Templates;

/// <summary>Definitions stored before the template language could be chosen hold Liquid templates and carry no
/// language (it reads as Unspecified): they keep rendering as Liquid, and an update that leaves the language alone
/// keeps it, while a new definition without one is Jinja2.</summary>
public sealed class StoredTemplateLanguageTests
{
    private static readonly WebhookDefinition Stored = new()
    {
        Name = "old", ObjectTypes = ["dcim.device"], Events = ["created"], EndpointIds = ["e"],
        BodyTemplate = "{{ data.name | upcase }}", TemplateLanguage = TemplateLanguage.Unspecified,
    };

    [Fact]
    public void AStoredWebhookWithoutALanguage_CompilesItsTemplatesAsLiquid()
    {
        var compiler = new TemplateCompiler(Microsoft.Extensions.Options.Options.Create(new TemplateLimits()));
        using var program = WebhookProgram.Compile(Stored, compiler, new global::Webhooks.Conditions.ConditionOptions());

        var prepared = program.Prepare(new global::Webhooks.Events.ObjectEvent { EventId = "e1", ObjectType = "dcim.device", Event = "created", Data = """{"name": "sw1"}""" }, "w", compiler, null);

        Assert.Equal(PreparedOutcome.Ready, prepared.Outcome);
        Assert.Equal("SW1", prepared.Delivery.Request.Body);
    }

    [Fact]
    public void AnUpdateThatLeavesTheLanguageAlone_KeepsLiquid_AndOneThatSetsIt_ChangesIt()
    {
        var kept = WebhookFields.Apply(Stored, new WebhookDefinition { BodyTemplate = "{{ data.name }}" }, [WebhookField.BodyTemplate]);
        var changed = WebhookFields.Apply(Stored, new WebhookDefinition { TemplateLanguage = TemplateLanguage.Jinja2 }, [WebhookField.TemplateLanguage]);
        var endpoint = EndpointFields.Apply(new EndpointDefinition { Url = "http://x/{{ data.id }}" }, new EndpointDefinition { Name = "n" }, [EndpointField.Name]);

        Assert.Equal(TemplateLanguage.Liquid, kept.TemplateLanguage);
        Assert.Equal(TemplateLanguage.Jinja2, changed.TemplateLanguage);
        Assert.Equal(TemplateLanguage.Liquid, endpoint.TemplateLanguage);
        Assert.Equal(TemplateLanguage.Jinja2, TemplateLanguages.ForNew(TemplateLanguage.Unspecified));
        Assert.Equal(TemplateLanguage.Jinja2, new EndpointGrainState { Definition = new EndpointDefinition { Url = "http://x", TemplateLanguage = TemplateLanguage.Jinja2 } }.Route().TemplateLanguage);
        Assert.Equal(TemplateLanguage.Liquid, new EndpointGrainState { Definition = new EndpointDefinition { Url = "http://x" } }.Route().TemplateLanguage);
    }
}
