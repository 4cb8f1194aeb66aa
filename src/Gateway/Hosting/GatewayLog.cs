using Webhooks.Gateway.Auth;

namespace Webhooks.Gateway.Hosting;

/// <summary>What the gateway says about itself at start-up.</summary>
internal static partial class GatewayLog
{
    public static void Auth(ILogger logger, ApiKeyRing keys)
    {
        if (keys.Open)
        {
            NoKeys(logger);
        }
        else
        {
            Keys(logger, keys.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API keys (Auth:Keys): the API listens on loopback only and every caller there is an admin. Configure keys before listening on a network address")]
    private static partial void NoKeys(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys: {Count} in force; every call but health checks needs one (Authorization: Bearer <key>)")]
    private static partial void Keys(ILogger logger, int count);
}
