using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Templates.Jinja;

/// <summary>Jinja2 is the template language of new definitions: a NetBox webhook's URL, headers and body, pasted
/// unchanged, deliver what the real Jinja2 renders over the same context. Liquid stays for definitions that chose it
/// (and those stored before the choice existed).</summary>
[Collection(ClusterCollection.Name)]
public sealed class JinjaTemplateApiTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    private const string Data = """
        {"address": "192.0.2.1/24", "status": {"value": "active", "label": "Active"}, "dns_name": "r1.example.com",
         "tags": [{"name": "Core", "slug": "core"}, {"name": "Edge \"west\"", "slug": "edge"}], "tenant": null,
         "vrf": {"name": "Zürich & <lab>"}, "mask_length": 24, "description": "line one\r\nline two"}
        """;

    /// <summary>Constructs NetBox users write: loops with loop variables, filters with arguments, tests, inline if,
    /// set, whitespace control, comments.</summary>
    private const string Body = """
        {# NetBox-style body #}
        {"text": "IP address {{ data['address'] }} was {{ event }} by {{ username }}!",
         "tags": [{% for tag in data.tags -%}
           {{ tag.name | tojson }}{% if not loop.last %}, {% endif %}
         {%- endfor %}],
         "slugs": "{{ data.tags | map(attribute='slug') | join(',') | upper }}",
         "tenant": {{ (data.tenant.name if data.tenant is not none else 'none') | tojson }},
         {% set prefix = data.address.split('/')[0] -%}
         "host": "{{ prefix }}", "len": {{ data.mask_length // 8 }}, "vrf": {{ data.vrf | tojson }},
         "missing": "{{ data.nothing | default('n/a') }}", "first": "{{ (data.tags | first).slug | title }}"}
        """;

    [Fact]
    public async Task ANetBoxWebhookPastedUnchanged_DeliversWhatJinja2Renders()
    {
        var type = $"j{Prefix}.ipaddress";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "jinja", Url = Receiver.Url + "/ip/{{ data.address.split('/')[0] | replace('.', '-') }}" },
        });
        var context = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "context", Url = $"{Receiver.Url}/context" } });
        var headers = "X-Device: {{ data.dns_name | header_safe }}\nX-Description: {{ data.description | header_safe }}";
        var webhook = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "netbox", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id }, BodyTemplate = Body, AdditionalHeaders = headers },
        });
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "context", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { context.Id } },
        });

        Assert.Equal(TemplateLanguage.Jinja2, webhook.TemplateLanguage);
        Assert.Equal(TemplateLanguage.Jinja2, (await EndpointsApi.GetEndpointAsync(new GetEndpointRequest { Id = endpoint.Id })).TemplateLanguage);
        await EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent { ObjectType = type, ObjectId = "7", Event = "created", Username = "jdoe", Data = Struct.Parser.ParseJson(Data) },
        });

        // The default body is the whole context the templates saw: the real Jinja2 renders the same templates over it.
        var contextJson = (await Receiver.WaitForAsync("/context", 1)).Single().BodyText;
        var delivered = (await Receiver.WaitForAsync("/ip/192-0-2-1", 1)).Single();
        Assert.Equal(Jinja2Reference.Render(Body, contextJson), delivered.BodyText);
        Assert.Equal(Jinja2Reference.Render("{{ data.dns_name | header_safe }}", contextJson), delivered.Header("X-Device"));
        Assert.Equal("line oneline two", delivered.Header("X-Description"));
        Assert.Contains("\"tags\": [\"Core\", \"Edge \\\"west\\\"\"]", delivered.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Liquid_StaysAvailableByChoice_AndAnUpdateKeepsTheLanguage()
    {
        var type = $"l{Prefix}.device";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "l", Url = $"{Receiver.Url}/liquid" } });

        // Liquid's spelling is not Jinja2: refused, naming the field, unless Liquid is chosen.
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "l", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id }, BodyTemplate = "{{ data.name | upcase }}" },
        }));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("webhook.body_template", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("No filter named 'upcase'", refused.Status.Detail, StringComparison.Ordinal);

        var liquid = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook
            {
                Name = "l", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id },
                BodyTemplate = "{{ data.name | upcase }}", TemplateLanguage = TemplateLanguage.Liquid,
            },
        });
        Assert.Equal(TemplateLanguage.Liquid, liquid.TemplateLanguage);
        var updated = await WebhooksApi.UpdateWebhookAsync(new UpdateWebhookRequest
        {
            Webhook = new Webhook { Id = liquid.Id, BodyTemplate = "{% assign n = data.name | downcase %}{{ n }}!" },
            UpdateMask = new FieldMask { Paths = { "body_template" } },
        });
        Assert.Equal(TemplateLanguage.Liquid, updated.TemplateLanguage);

        await EventsApi.PublishAsync(new PublishRequest { Event = new ObjectEvent { ObjectType = type, Event = "created", Data = Struct.Parser.ParseJson("""{"name": "SW1"}""") } });
        Assert.Equal("sw1!", (await Receiver.WaitForAsync("/liquid", 1)).Single().BodyText);

        // Switching the language re-validates the templates in it.
        var switched = await Assert.ThrowsAsync<RpcException>(async () => await WebhooksApi.UpdateWebhookAsync(new UpdateWebhookRequest
        {
            Webhook = new Webhook { Id = liquid.Id, TemplateLanguage = TemplateLanguage.Jinja2 },
            UpdateMask = new FieldMask { Paths = { "template_language" } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, switched.StatusCode);
        Assert.StartsWith("webhook.body_template", switched.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownLanguage_IsInvalidArgumentNamingTheField()
    {
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "u", Url = $"{Receiver.Url}/u" } });
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "u", ObjectTypes = { "dcim.device" }, Events = { "created" }, EndpointIds = { endpoint.Id }, TemplateLanguage = (TemplateLanguage)7 },
        }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("webhook.template_language", refused.Status.Detail, StringComparison.Ordinal);
    }
}
