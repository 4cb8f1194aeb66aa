namespace Webhooks.Gateway.Auth;

/// <summary>One API key as configured: never the key itself, only its SHA-256.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>Who holds the key; shown in logs, never the key.</summary>
    public string Name { get; set; } = "";

    /// <summary><see cref="ApiRoles.Publisher"/>, <see cref="ApiRoles.Reader"/> or <see cref="ApiRoles.Admin"/>.</summary>
    public string Role { get; set; } = "";

    /// <summary>Lowercase hex of the SHA-256 of the key's UTF-8 bytes.</summary>
    public string Sha256 { get; set; } = "";
}
