namespace Webhooks.Templates;

/// <summary>The language of a definition's templates (URL, headers, body).</summary>
[GenerateSerializer, Alias("webhooks.TemplateLanguage")]
public enum TemplateLanguage
{
    /// <summary>Not chosen: Jinja2 for a new definition; Liquid for one stored before the choice existed, whose
    /// templates were written in Liquid.</summary>
    Unspecified = 0,

    /// <summary>Jinja2, as NetBox renders webhook templates.</summary>
    Jinja2 = 1,

    /// <summary>Liquid (Fluid), the language before Jinja2; kept so stored templates render as they always did.</summary>
    Liquid = 2,
}
