namespace Webhooks.Gateway.Auth;

/// <summary>Who may call the API (configuration section "Auth"). Reloaded without a restart when its source changes
/// (appsettings.json, or the file <see cref="KeysFile"/> names).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The API keys. None: the API listens on loopback only, and every caller there is an admin.</summary>
    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>A JSON file with an "Auth" section of its own (its keys), watched and reloaded when it changes: for
    /// keys kept apart from the rest of the configuration, such as a mounted secret.</summary>
    public string? KeysFile { get; set; }
}
