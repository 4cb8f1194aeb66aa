using System.Security.Claims;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Webhooks.Gateway.Auth;

namespace Webhooks.Gateway.WebConsole;

/// <summary>The web console: static HTML, CSS and JavaScript embedded in this assembly and served at <c>/</c>, calling
/// the same JSON API as any other client, with the signed-in key.</summary>
public static class ConsoleExtensions
{
    public const string SessionPath = "/console/session";

    // Everything the page loads comes from here; nothing it shows can run as script (it sets text, never HTML).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>Serves the console's files, before authentication: they hold no data, and every call they make
    /// carries the caller's own key.</summary>
    public static WebApplication UseWebhooksConsole(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(ConsoleExtensions).Assembly, "WebConsole/wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // Revalidated every time (ETag): a new version of the service shows its own console at once.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    /// <summary>Who the console is signed in as: a key's name and role, or the loopback default's admin.</summary>
    public static WebApplication MapConsoleSession(this WebApplication app)
    {
        var keysRequired = !app.Services.IsLoopbackDefault();
        app.MapGet(SessionPath, (ClaimsPrincipal user) => TypedResults.Ok(new ConsoleSession(
                user.Identity?.Name ?? "",
                user.FindFirstValue(ClaimTypes.Role) ?? "",
                keysRequired)))
            .RequireAuthorization();
        return app;
    }

    /// <summary>What <see cref="SessionPath"/> answers.</summary>
    public sealed record ConsoleSession(string Name, string Role, bool KeysRequired);
}
