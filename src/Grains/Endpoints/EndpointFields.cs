using System.Collections.Immutable;
using Webhooks.Errors;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>Applies an update mask: the named fields (see <see cref="EndpointField"/>) of the changes replace the
/// current definition's.</summary>
internal static class EndpointFields
{
    public static EndpointDefinition Apply(EndpointDefinition current, EndpointDefinition changes, ImmutableArray<string> fields)
    {
        // Stored before languages existed, its URL is Liquid: that stays so unless the update changes it.
        var merged = current with { TemplateLanguage = TemplateLanguages.ForStored(current.TemplateLanguage) };
        foreach (var field in fields)
        {
            merged = field switch
            {
                EndpointField.Name => merged with { Name = changes.Name },
                EndpointField.Url => merged with { Url = changes.Url },
                EndpointField.Headers => merged with { Headers = EndpointSecrets.Unmask(changes.Headers, current.Headers) },
                EndpointField.Secret => merged with { Secret = changes.Secret, PreviousSecret = null, PreviousSecretUntil = null },
                EndpointField.SignatureScheme => merged with { SignatureScheme = changes.SignatureScheme },
                EndpointField.SlackChannel => merged with { SlackChannel = changes.SlackChannel },
                EndpointField.SlackUsername => merged with { SlackUsername = changes.SlackUsername },
                EndpointField.SlackIcon => merged with { SlackIcon = changes.SlackIcon },
                EndpointField.TemplateLanguage => merged with { TemplateLanguage = changes.TemplateLanguage },
                EndpointField.SslVerification => merged with { SslVerification = changes.SslVerification },
                EndpointField.CaFilePath => merged with { CaFilePath = changes.CaFilePath },
                EndpointField.ClientCertificatePath => merged with { ClientCertificatePath = changes.ClientCertificatePath },
                EndpointField.Timeout => merged with { Timeout = changes.Timeout },
                EndpointField.MaxInFlight => merged with { MaxInFlight = changes.MaxInFlight },
                EndpointField.Kind => merged with { Kind = changes.Kind },
                EndpointField.Description => merged with { Description = changes.Description },
                EndpointField.RetryPolicy => merged with { Retry = changes.Retry },
                EndpointField.Ordering => merged with { Ordering = changes.Ordering },
                EndpointField.CircuitBreaker => merged with { CircuitBreaker = changes.CircuitBreaker },
                EndpointField.RateLimit => merged with { RateLimit = changes.RateLimit },
                EndpointField.DisableAfter => merged with { DisableAfter = changes.DisableAfter },
                _ => throw new InvalidFieldException("update_mask", $"'{field}' is not an updatable endpoint field"),
            };
        }

        return merged;
    }
}
