using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Webhooks.Gateway.Auth;

public static class ApiKeyAuthExtensions
{
    /// <summary>The service runs on its loopback default: no API key is configured and every listener is on
    /// loopback, so only this host can call it.</summary>
    public static bool IsLoopbackDefault(this IServiceProvider services) =>
        services.GetRequiredService<ApiKeyRing>().Open
        && services.GetRequiredService<IOptions<Hosting.GatewayOptions>>().Value.ListensOnLoopbackOnly;

    /// <summary>API keys (<see cref="AuthOptions"/>, and the file <see cref="AuthOptions.KeysFile"/> names, watched)
    /// and the role policies. Every endpoint needs an authenticated caller unless it allows anonymous ones (health).</summary>
    public static WebApplicationBuilder AddApiKeyAuth(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[$"{AuthOptions.Section}:{nameof(AuthOptions.KeysFile)}"] is { Length: > 0 } file)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), [$"{AuthOptions.Section}:KeysFile names {path}, which does not exist"]);
            }

            builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: true);
        }

        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section));
        builder.Services.AddSingleton<ApiKeyRing>();
        // The core services only: AddAuthentication would also bring ASP.NET Core Data Protection, whose key ring
        // nothing here uses and which would write keys under the home directory.
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName);
        builder.Services.AddWebEncoders();
        new AuthenticationBuilder(builder.Services)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiRoles.PublishPolicy, p => p.RequireRole(ApiRoles.Publisher, ApiRoles.Admin))
            .AddPolicy(ApiRoles.ReadPolicy, p => p.RequireRole(ApiRoles.Reader, ApiRoles.Admin))
            .AddPolicy(ApiRoles.AdminPolicy, p => p.RequireRole(ApiRoles.Admin))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }
}
