namespace Webhooks.Secrets;

/// <summary>The key that seals stored definitions (configuration section "Secrets"): endpoint secrets and header
/// values, webhook templates and headers, in PostgreSQL.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>32 random bytes in base64 (<c>new-secrets-key</c> prints one); required on PostgreSQL. Everything
    /// written is sealed with it.</summary>
    public string? Key { get; set; }

    /// <summary>A file that holds the key instead (a systemd credential, a mounted secret): kept out of the process
    /// list and the environment.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Keys that sealed rows still in the database; read, never written. Keep an old key here after a
    /// rotation until every definition has been written again.</summary>
    public List<string> PreviousKeys { get; set; } = [];

    /// <summary>The key, from <see cref="Key"/> or else from <see cref="KeyFile"/>; null when neither gives one.</summary>
    public string? CurrentKey()
    {
        if (!string.IsNullOrWhiteSpace(Key))
        {
            return Key.Trim();
        }

        try
        {
            return KeyFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Why the settings cannot be used; empty when they can.</summary>
    public IEnumerable<string> Problems(bool required)
    {
        var key = CurrentKey();
        if (key is null)
        {
            if (KeyFile is { Length: > 0 })
            {
                yield return $"Secrets:KeyFile names {KeyFile}, which cannot be read";
            }
            else if (required)
            {
                yield return "Storage:Provider=postgres needs Secrets:Key (or Secrets:KeyFile), 32 random bytes in base64 that every silo shares (`new-secrets-key` prints one)";
            }
        }
        else if (!IsKey(key))
        {
            yield return "Secrets:Key must be 32 bytes in base64 (`new-secrets-key` prints one)";
        }

        for (var i = 0; i < PreviousKeys.Count; i++)
        {
            if (!IsKey(PreviousKeys[i]))
            {
                yield return $"Secrets:PreviousKeys:{i} must be 32 bytes in base64";
            }
        }
    }

    private static bool IsKey(string value)
    {
        var bytes = new byte[64];
        return Convert.TryFromBase64String(value.Trim(), bytes, out var written) && written == 32;
    }
}
