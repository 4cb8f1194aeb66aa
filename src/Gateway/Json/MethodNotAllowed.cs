using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Routing.Template;

namespace Webhooks.Gateway.Json;

/// <summary>Answers 405 Method Not Allowed, with an Allow header, for a JSON route called with a method it does not
/// take (`GET /v1/events:publish`): routing alone answers 404 there, which reads as a wrong path.</summary>
internal static class MethodNotAllowed
{
    public static void MapMethodNotAllowed(this WebApplication app)
    {
        var sources = app.Services.GetRequiredService<EndpointDataSource>();
        List<(TemplateMatcher Route, string Method)>? routes = null;
        app.MapFallback(context =>
        {
            // Built on first use: the data source lists every endpoint only once the app is running.
            routes ??= [.. sources.Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not null)
                .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method =>
                    (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()), method)))];
            var allowed = routes.Where(r => r.Route.TryMatch(context.Request.Path, [])).Select(r => r.Method).Distinct().ToList();
            if (allowed.Count == 0)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = string.Join(", ", allowed);
            return Task.CompletedTask;
        }).AllowAnonymous();
    }
}
