using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Webhooks.Gateway.Auth;

/// <summary>Authenticates `Authorization: Bearer &lt;key&gt;` against <see cref="ApiKeyRing"/>: the caller is the
/// key's name with the key's role. With no keys configured (loopback only) every caller is an admin.</summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyRing keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string Bearer = "Bearer ";

    /// <summary>The caller's name when no keys are configured.</summary>
    public const string LoopbackCaller = "loopback (no API keys)";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.Open)
        {
            return Task.FromResult(Success(LoopbackCaller, ApiRoles.Admin));
        }

        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Find(header[Bearer.Length..].Trim()) is not { } entry)
        {
            LogUnknownKey(Logger, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        }

        return Task.FromResult(Success(entry.Name, entry.Role));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    private static AuthenticateResult Success(string name, string role) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName)),
            SchemeName));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused an unknown API key on {Path}")]
    private static partial void LogUnknownKey(ILogger logger, string path);
}
