using Webhooks.Errors;
using Webhooks.Templates;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class TemplateLanguageMapping
{
    public static TemplateLanguage ToDomain(Proto.TemplateLanguage language, string field) => language switch
    {
        Proto.TemplateLanguage.Unspecified => TemplateLanguage.Unspecified,
        Proto.TemplateLanguage.Jinja2 => TemplateLanguage.Jinja2,
        Proto.TemplateLanguage.Liquid => TemplateLanguage.Liquid,
        _ => throw new InvalidFieldException(field, $"unknown language {(int)language}"),
    };

    /// <summary>A stored definition's language; one stored before the choice existed is Liquid.</summary>
    public static Proto.TemplateLanguage ToProto(TemplateLanguage language) =>
        TemplateLanguages.ForStored(language) == TemplateLanguage.Liquid ? Proto.TemplateLanguage.Liquid : Proto.TemplateLanguage.Jinja2;
}
