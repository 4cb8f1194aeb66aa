namespace Webhooks.Templates;

public static class TemplateLanguages
{
    /// <summary>The language of a definition being created or changed: Jinja2 unless another was chosen.</summary>
    public static TemplateLanguage ForNew(TemplateLanguage language) =>
        language == TemplateLanguage.Unspecified ? TemplateLanguage.Jinja2 : language;

    /// <summary>The language of a stored definition: one stored before languages existed was written in Liquid.</summary>
    public static TemplateLanguage ForStored(TemplateLanguage language) =>
        language == TemplateLanguage.Unspecified ? TemplateLanguage.Liquid : language;
}
