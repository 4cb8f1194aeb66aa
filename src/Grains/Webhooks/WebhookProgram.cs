using System.Collections.Immutable;
using Fluid;
using Webhooks.Endpoints;
using Webhooks.Conditions;
using Webhooks.Templates;

namespace Webhooks.Webhooks;

/// <summary>A webhook definition compiled for one activation: filters, the condition's engine and the
/// parsed templates.</summary>
internal sealed class WebhookProgram : IDisposable
{
    private readonly IFluidTemplate? _headerTemplate;
    private readonly ImmutableArray<HttpHeader> _staticHeaders;
    private readonly IFluidTemplate? _bodyTemplate;
    private readonly ContextUse _use;

    public WebhookProgram(WebhookDefinition definition, TemplateCompiler templates, ConditionOptions conditionOptions)
    {
        Definition = definition;
        Types = new ObjectTypeFilter(definition.ObjectTypes);
        Events = new EventNameFilter(definition.Events);
        Condition = definition.Condition.Trim().Length > 0 ? new ConditionEvaluator(definition.Condition, conditionOptions) : null;
        if (TemplateCompiler.IsTemplate(definition.AdditionalHeaders))
        {
            _headerTemplate = templates.Compile(definition.AdditionalHeaders, "webhook.additional_headers");
            _staticHeaders = [];
        }
        else
        {
            _staticHeaders = HeaderLines.Parse(definition.AdditionalHeaders, "webhook.additional_headers");
        }

        _bodyTemplate = definition.BodyTemplate.Length > 0 ? templates.Compile(definition.BodyTemplate, "webhook.body_template") : null;
        _use = ContextUse.Of(definition.AdditionalHeaders, definition.BodyTemplate);
    }

    public WebhookDefinition Definition { get; }

    public ObjectTypeFilter Types { get; }

    public EventNameFilter Events { get; }

    public ConditionEvaluator? Condition { get; }

    /// <summary>Throws <see cref="TemplateException"/>.</summary>
    public RenderedRequest Render(EventContext context, TemplateCompiler templates)
    {
        var headers = _headerTemplate is null
            ? _staticHeaders
            : HeaderLines.Parse(templates.Render(_headerTemplate, context.TemplateModelFor(_use), "additional headers"), field: null);
        var body = _bodyTemplate is null ? context.DefaultBody : templates.Render(_bodyTemplate, context.TemplateModelFor(_use), "body");
        return new RenderedRequest(headers, body);
    }

    public void Dispose() => Condition?.Dispose();
}
