using Webhooks.Gateway.Hosting;

namespace Webhooks.Silo;

/// <summary>`--probe-readiness`: asks a running silo's /readyz (at Gateway:HttpUrl, 0.0.0.0 read as 127.0.0.1) and
/// exits 0 when it answers 200, 1 otherwise. For container health checks in images without curl.</summary>
internal static class ReadinessProbe
{
    public const string Switch = "--probe-readiness";

    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var url = new UriBuilder(configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>()?.HttpUrl ?? new GatewayOptions().HttpUrl);
        if (url.Host is "0.0.0.0" or "[::]" or "::")
        {
            url.Host = "127.0.0.1";
        }

        url.Path = "/readyz";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url.Uri);
            Console.WriteLine($"{url.Uri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{url.Uri}: {ex.Message}");
            return 1;
        }
    }
}
