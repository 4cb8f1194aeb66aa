using System.Collections.Immutable;
using System.Net;
using Webhooks.Errors;
using Webhooks.Endpoints.Sending;
using Webhooks.Outbound;
using Webhooks.Templates;

namespace Webhooks.Endpoints;

/// <summary>Normalizes an endpoint definition and rejects anything that could not work, naming the field.</summary>
public sealed class EndpointValidator(TemplateCompiler templates, OutboundAddressPolicy outbound, CertificateDirectory certificates)
{
    public const int MaxNameLength = 150;
    public const int MaxDescriptionLength = 1000;
    public const int MaxUrlLength = 500;
    public const int MaxSecretLength = 255;
    public const int MaxHeaders = 50;
    public const int MaxInFlightLimit = 256;
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    public const int MaxAttempts = 100;
    public const int MaxFailureThreshold = 1000;
    public const double MaxRequestsPerSecond = 100_000;
    public const int MaxBurst = 10_000;
    /// <summary>Longest retry delay or probe interval.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxDisableAfter = TimeSpan.FromDays(365);

    public EndpointDefinition Normalize(EndpointDefinition d)
    {
        var name = d.Name.Trim();
        if (name.Length == 0)
        {
            throw new InvalidFieldException("endpoint.name", "is required");
        }

        if (name.Length > MaxNameLength)
        {
            throw new InvalidFieldException("endpoint.name", $"must be at most {MaxNameLength} characters");
        }

        if (d.Description.Trim().Length > MaxDescriptionLength)
        {
            throw new InvalidFieldException("endpoint.description", $"must be at most {MaxDescriptionLength} characters");
        }

        if (!Enum.IsDefined(d.TemplateLanguage))
        {
            throw new InvalidFieldException("endpoint.template_language", $"unknown language {(int)d.TemplateLanguage}");
        }

        var language = TemplateLanguages.ForNew(d.TemplateLanguage);
        var url = d.Url.Trim();
        ValidateUrl(url, language);

        if (d.Headers.Length > MaxHeaders)
        {
            throw new InvalidFieldException("endpoint.headers", $"at most {MaxHeaders} headers");
        }

        var headers = ImmutableArray.CreateBuilder<HttpHeader>(d.Headers.Length);
        for (var i = 0; i < d.Headers.Length; i++)
        {
            var header = d.Headers[i];
            var field = $"endpoint.headers[{i}]";
            var headerName = header.Name.Trim();
            var headerValue = header.Value.Trim(' ', '\t');
            if (HeaderNames.Problem(headerName, headerValue) is { } problem)
            {
                var part = HeaderNames.IsToken(headerName) && !HeaderNames.IsReserved(headerName) ? "value" : "name";
                throw new InvalidFieldException($"{field}.{part}", problem);
            }

            headers.Add(new HttpHeader { Name = headerName, Value = headerValue });
        }

        if (d.Secret is { Length: > MaxSecretLength })
        {
            throw new InvalidFieldException("endpoint.secret", $"must be at most {MaxSecretLength} characters");
        }

        var slack = (Channel: d.SlackChannel.Trim(), Username: d.SlackUsername.Trim(), Icon: d.SlackIcon.Trim());
        foreach (var (value, field) in new[] { (slack.Channel, "endpoint.slack_channel"), (slack.Username, "endpoint.slack_username"), (slack.Icon, "endpoint.slack_icon") })
        {
            if (value.Length > 200 || value.Any(char.IsControl))
            {
                throw new InvalidFieldException(field, "must be at most 200 characters, without control characters");
            }
        }

        if (slack.Icon.Length > 0 && !(slack.Icon.Length > 2 && slack.Icon[0] == ':' && slack.Icon[^1] == ':')
            && !(Uri.TryCreate(slack.Icon, UriKind.Absolute, out var icon) && (icon.Scheme == Uri.UriSchemeHttps || icon.Scheme == Uri.UriSchemeHttp)))
        {
            throw new InvalidFieldException("endpoint.slack_icon", "is an emoji such as :robot_face: or an http(s) URL of an image");
        }

        var secret = string.IsNullOrEmpty(d.Secret) ? null : d.Secret;
        if (d.SignatureScheme == SignatureScheme.StandardWebhooks)
        {
            // Standard Webhooks needs a secret in its own format: one is made when none is given.
            secret ??= StandardWebhooksSigner.NewSecret();
            if (StandardWebhooksSigner.Problem(secret) is { } problem)
            {
                throw new InvalidFieldException("endpoint.secret", problem);
            }
        }
        else if (!Enum.IsDefined(d.SignatureScheme))
        {
            throw new InvalidFieldException("endpoint.signature_scheme", $"unknown scheme {(int)d.SignatureScheme}");
        }

        var caFile = d.CaFilePath.Trim();
        if (caFile.Length > 0)
        {
            ValidateCaFile(caFile);
        }

        var clientCertificate = d.ClientCertificatePath.Trim();
        if (clientCertificate.Length > 0 && certificates.TryLoadClientCertificate(clientCertificate) is null)
        {
            throw new InvalidFieldException("endpoint.client_certificate_path", CertificateDirectory.ClientRefusal);
        }

        var timeout = d.Timeout == TimeSpan.Zero ? EndpointDefinition.DefaultTimeout : d.Timeout;
        if (timeout < TimeSpan.FromMilliseconds(1) || timeout > MaxTimeout)
        {
            throw new InvalidFieldException("endpoint.timeout", $"must be between 1 ms and {MaxTimeout.TotalMinutes} minutes");
        }

        var maxInFlight = d.MaxInFlight == 0 ? 1 : d.MaxInFlight;
        if (maxInFlight is < 1 or > MaxInFlightLimit)
        {
            throw new InvalidFieldException("endpoint.max_in_flight", $"must be between 1 and {MaxInFlightLimit}");
        }

        if (!Enum.IsDefined(d.Kind))
        {
            throw new InvalidFieldException("endpoint.kind", "must be custom, slack or zapier");
        }

        if (!Enum.IsDefined(d.Ordering))
        {
            throw new InvalidFieldException("endpoint.ordering", "must be fifo or none");
        }

        if (d.Retry is { } retry)
        {
            ValidateRetry(retry);
        }

        if (d.CircuitBreaker is { } breaker)
        {
            if (breaker.FailureThreshold is < 0 or > MaxFailureThreshold)
            {
                throw new InvalidFieldException("endpoint.circuit_breaker.failure_threshold", $"must be between 0 (never opens) and {MaxFailureThreshold}");
            }

            InRange(breaker.ProbeInterval, TimeSpan.FromSeconds(1), MaxDelay, "endpoint.circuit_breaker.probe_interval");
        }

        if (d.RateLimit is { } limit)
        {
            if (!(limit.RequestsPerSecond > 0 && limit.RequestsPerSecond <= MaxRequestsPerSecond))
            {
                throw new InvalidFieldException("endpoint.rate_limit.requests_per_second", $"must be above 0 and at most {MaxRequestsPerSecond}");
            }

            if (limit.Burst is < 1 or > MaxBurst)
            {
                throw new InvalidFieldException("endpoint.rate_limit.burst", $"must be between 1 and {MaxBurst}");
            }
        }

        if (d.DisableAfter is { } window && window != TimeSpan.Zero)
        {
            InRange(window, TimeSpan.FromMinutes(1), MaxDisableAfter, "endpoint.disable_after");
        }

        return d with
        {
            Name = name,
            Url = url,
            Headers = headers.MoveToImmutable(),
            Secret = secret,
            SlackChannel = slack.Channel,
            SlackUsername = slack.Username,
            SlackIcon = slack.Icon,
            CaFilePath = caFile,
            ClientCertificatePath = clientCertificate,
            Timeout = timeout,
            MaxInFlight = maxInFlight,
            Description = d.Description.Trim(),
            TemplateLanguage = language,
        };
    }

    private static void ValidateRetry(RetryPolicy retry)
    {
        const string field = "endpoint.retry_policy";
        if (retry.Exponential is { } e)
        {
            InRange(e.Initial, TimeSpan.FromMilliseconds(1), MaxDelay, $"{field}.exponential.initial");
            InRange(e.Max, e.Initial, MaxDelay, $"{field}.exponential.max");
            if (!(e.Multiplier >= 1 && e.Multiplier <= 100))
            {
                throw new InvalidFieldException($"{field}.exponential.multiplier", "must be between 1 and 100");
            }

            if (e.MaxAttempts is < 1 or > MaxAttempts)
            {
                throw new InvalidFieldException($"{field}.exponential.max_attempts", $"must be between 1 and {MaxAttempts}");
            }
        }
        else
        {
            if (retry.Schedule.IsDefault || retry.Schedule.Length > MaxAttempts - 1)
            {
                throw new InvalidFieldException($"{field}.schedule", $"at most {MaxAttempts - 1} delays");
            }

            for (var i = 0; i < retry.Schedule.Length; i++)
            {
                InRange(retry.Schedule[i], TimeSpan.Zero, MaxDelay, $"{field}.schedule[{i}]");
            }
        }

        if (!(retry.Jitter >= 0 && retry.Jitter <= 1))
        {
            throw new InvalidFieldException($"{field}.jitter", "must be between 0 and 1");
        }

        if (retry.Attempts is < 1 or > MaxAttempts)
        {
            throw new InvalidFieldException($"{field}.max_attempts", $"must be between 1 and {MaxAttempts}");
        }
    }

    private static void InRange(TimeSpan value, TimeSpan min, TimeSpan max, string field)
    {
        if (value < min || value > max)
        {
            throw new InvalidFieldException(field, $"must be between {min:c} and {max:c}");
        }
    }

    private void ValidateUrl(string url, TemplateLanguage language)
    {
        const string field = "endpoint.url";
        if (url.Length == 0)
        {
            throw new InvalidFieldException(field, "is required");
        }

        if (url.Length > MaxUrlLength)
        {
            throw new InvalidFieldException(field, $"must be at most {MaxUrlLength} characters");
        }

        var fixedPart = url;
        if (TemplateCompiler.IsTemplate(url))
        {
            templates.Compile(url, field, language);
            var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidFieldException(field, "must start with http:// or https://");
            }

            // Whoever publishes events controls what templates render: they may choose the path and the query, never
            // the host a delivery goes to.
            var authorityEnd = url.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
            fixedPart = authorityEnd < 0 ? url : url[..authorityEnd];
            if (TemplateCompiler.IsTemplate(fixedPart) || fixedPart.Contains('{', StringComparison.Ordinal))
            {
                throw new InvalidFieldException(field, "the scheme, host and port must be written out: only the path and query may come from a template");
            }
        }

        if (!Uri.TryCreate(fixedPart, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidFieldException(field, $"'{url}' is not an absolute http or https URL");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new InvalidFieldException(field, "must not contain credentials; use a header such as Authorization");
        }

        // A host spelled as an address (in any notation: 2852039166, 0xA9FEA9FE, [::ffff:169.254.169.254]) is checked
        // now; a name is checked at every connection, against what it resolves to then.
        if (IPAddress.TryParse(uri.IdnHost.TrimStart('[').TrimEnd(']'), out var address)
            && outbound.Refusal(address, uri.Port) is { } refusal)
        {
            throw new InvalidFieldException(field, $"deliveries may not go to {SpecialNetworks.Canonical(address)}: {refusal}");
        }
    }

    private void ValidateCaFile(string name)
    {
        if (certificates.TryLoad(name) is null)
        {
            throw new InvalidFieldException("endpoint.ca_file_path", CertificateDirectory.Refusal);
        }
    }
}
