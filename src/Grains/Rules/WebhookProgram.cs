using System.Collections.Immutable;
using Webhooks.Conditions;
using Webhooks.Conditions.NetBox;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Errors;
using Webhooks.Events;
using Webhooks.Templates;

namespace Webhooks.Rules;

/// <summary>A webhook definition compiled for one activation (filters, the condition's engine and the parsed
/// templates), and what it does with one event: filter, evaluate the condition, render the request.</summary>
internal sealed class WebhookProgram : IDisposable
{
    private readonly HeaderTemplate _headers;
    private readonly CompiledTemplate? _bodyTemplate;
    private readonly ContextUse _use;

    /// <summary>Compiles a definition; throws <see cref="InvalidFieldException"/> naming the field that cannot run,
    /// whatever the compilers threw (a condition nested past the parser's depth included).</summary>
    public static WebhookProgram Compile(WebhookDefinition definition, TemplateCompiler templates, ConditionOptions conditionOptions)
    {
        try
        {
            return new WebhookProgram(definition, templates, conditionOptions);
        }
        catch (Exception ex) when (ex is not InvalidFieldException)
        {
            // Templates report their own field; anything else comes from compiling the condition.
            throw new InvalidFieldException("webhook.condition", $"cannot be compiled: {ex.Message}");
        }
    }

    private WebhookProgram(WebhookDefinition definition, TemplateCompiler templates, ConditionOptions conditionOptions)
    {
        Definition = definition;
        Types = new ObjectTypeFilter(definition.ObjectTypes);
        Events = new EventNameFilter(definition.Events);
        Condition = definition.Conditions.Length > 0 ? NetBoxConditionSet.Parse(definition.Conditions, conditionOptions.Timeout)
            : definition.Condition.Trim().Length > 0 ? new ConditionEvaluator(definition.Condition, conditionOptions)
            : null;
        var language = TemplateLanguages.ForStored(definition.TemplateLanguage);
        _headers = HeaderTemplate.Compile(definition.AdditionalHeaders, templates, language);
        _bodyTemplate = definition.BodyTemplate.Length > 0 ? templates.Compile(definition.BodyTemplate, "webhook.body_template", language) : null;
        _use = ContextUse.Of(definition.AdditionalHeaders, definition.BodyTemplate);
    }

    public WebhookDefinition Definition { get; }

    public ObjectTypeFilter Types { get; }

    public EventNameFilter Events { get; }

    public IEventCondition? Condition { get; }

    /// <summary>Whether an event's name and type are this webhook's.</summary>
    public bool Covers(ObjectEvent item) => Events.Matches(item.Event) && Types.Matches(item.ObjectType);

    /// <summary>Evaluates the condition and renders the request for a covered event.</summary>
    /// <param name="traceParent">The trace context its deliveries continue.</param>
    public PreparedEvent Prepare(ObjectEvent item, string webhookId, TemplateCompiler templates, string? traceParent)
    {
        var context = new EventContext(item);
        if (Condition is { } condition)
        {
            bool matched;
            try
            {
                matched = condition.Evaluate(context);
            }
            catch (ConditionException ex)
            {
                return PreparedEvent.ConditionFailed(ex.Message);
            }

            if (!matched)
            {
                return PreparedEvent.NotMatched;
            }
        }

        RenderedRequest rendered;
        try
        {
            rendered = Render(context, templates);
        }
        catch (TemplateException ex)
        {
            return PreparedEvent.TemplateFailed(ex.Message);
        }

        return PreparedEvent.Ready(new PendingDelivery(new DeliveryRequest
        {
            WebhookId = webhookId,
            EventId = item.EventId,
            ObjectType = item.ObjectType,
            Event = item.Event,
            HttpMethod = Definition.HttpMethod,
            ContentType = Definition.HttpContentType,
            Headers = rendered.Headers,
            Body = rendered.Body,
            EventAcceptedAt = item.AcceptedAt,
            TraceParent = traceParent,
        }, context, _bodyTemplate is not null));
    }

    /// <summary>Throws <see cref="TemplateException"/>.</summary>
    private RenderedRequest Render(EventContext context, TemplateCompiler templates)
    {
        var headers = _headers.FixedHeaders ?? _headers.Render(context, _use, templates);
        var body = _bodyTemplate is not null ? templates.Render(_bodyTemplate, context, _use, "body")
            : Definition.PayloadFormat == PayloadFormat.Datagerry ? context.DatagerryBody
            : context.DefaultBody;
        if (body.Contains('\0', StringComparison.Ordinal))
        {
            // No text format a receiver parses allows it raw, and PostgreSQL text cannot store it.
            throw new TemplateException("body rendered a NUL character (U+0000); encode the value, e.g. with | tojson");
        }

        return new RenderedRequest(headers, body);
    }

    public void Dispose() => Condition?.Dispose();
}
