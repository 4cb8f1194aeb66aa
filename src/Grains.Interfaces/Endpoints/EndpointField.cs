namespace Webhooks.Endpoints;

/// <summary>Updatable fields of an endpoint, named as in the API's field masks.</summary>
public static class EndpointField
{
    public const string Name = "name";
    public const string Url = "url";
    public const string Headers = "headers";
    public const string Secret = "secret";
    public const string SslVerification = "ssl_verification";
    public const string CaFilePath = "ca_file_path";
    public const string Timeout = "timeout";
    public const string MaxInFlight = "max_in_flight";
    public const string Kind = "kind";
    public const string Description = "description";
    public const string RetryPolicy = "retry_policy";
    public const string Ordering = "ordering";
    public const string CircuitBreaker = "circuit_breaker";
    public const string RateLimit = "rate_limit";
    public const string DisableAfter = "disable_after";
    public const string ClientCertificatePath = "client_certificate_path";
    public const string SignatureScheme = "signature_scheme";
    public const string SlackChannel = "slack_channel";
    public const string SlackUsername = "slack_username";
    public const string SlackIcon = "slack_icon";
    public const string TemplateLanguage = "template_language";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Name, Url, Headers, Secret, SslVerification, CaFilePath, Timeout, MaxInFlight, Kind, Description,
        RetryPolicy, Ordering, CircuitBreaker, RateLimit, DisableAfter, ClientCertificatePath, SignatureScheme,
        SlackChannel, SlackUsername, SlackIcon, TemplateLanguage,
    };
}
