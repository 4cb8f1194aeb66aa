namespace Webhooks.Outbound;

/// <summary>Ports this service listens on besides the silo's own Orleans ports (which are added by themselves): the
/// host adds its gRPC and HTTP listeners, so that no delivery can call the service's own API.</summary>
public sealed class ServiceListenerOptions
{
    public HashSet<int> Ports { get; } = [];

    /// <summary>Adds the port of a listener URL such as http://0.0.0.0:5000 (its scheme's default when it names none).</summary>
    public void AddUrl(string url)
    {
        if (Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            Ports.Add(uri.Port);
        }
    }
}
