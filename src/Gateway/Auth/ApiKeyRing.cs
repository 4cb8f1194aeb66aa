using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Webhooks.Gateway.Hosting;

namespace Webhooks.Gateway.Auth;

/// <summary>The API keys in force. Built from <see cref="AuthOptions"/> at start, where a problem stops the start,
/// and again whenever the configuration changes, where a problem is logged and the keys before the change stay in
/// force: a typo in a reloaded file must not open or close the API.</summary>
internal sealed partial class ApiKeyRing : IDisposable
{
    private readonly bool _loopbackOnly;
    private readonly IDisposable? _subscription;
    private volatile FrozenDictionary<string, ApiKeyEntry> _byHash;

    public ApiKeyRing(IOptionsMonitor<AuthOptions> auth, IOptions<GatewayOptions> gateway, ILogger<ApiKeyRing> logger)
    {
        _loopbackOnly = gateway.Value.ListensOnLoopbackOnly;
        var problems = Problems(auth.CurrentValue, _loopbackOnly);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(AuthOptions.Section, typeof(AuthOptions), problems);
        }

        _byHash = ByHash(auth.CurrentValue);
        _subscription = auth.OnChange(changed =>
        {
            var reloadProblems = Problems(changed, _loopbackOnly);
            if (reloadProblems.Count > 0)
            {
                LogReloadRefused(logger, string.Join("; ", reloadProblems), _byHash.Count);
                return;
            }

            _byHash = ByHash(changed);
            LogReloaded(logger, _byHash.Count);
        });
    }

    /// <summary>No keys: only possible while the API listens on loopback only, where every caller is an admin.</summary>
    public bool Open => _byHash.Count == 0;

    public int Count => _byHash.Count;

    /// <summary>The entry of a presented key; null when no configured key has its hash.</summary>
    public ApiKeyEntry? Find(string key) => _byHash.GetValueOrDefault(Hash(key));

    /// <summary>Lowercase hex of the SHA-256 of the key's UTF-8 bytes, as configured.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Everything wrong with <paramref name="options"/>, each naming its key.</summary>
    public static List<string> Problems(AuthOptions options, bool loopbackOnly)
    {
        var problems = new List<string>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var (entry, at) = (options.Keys[i], $"{AuthOptions.Section}:Keys:{i}");
            if (string.IsNullOrWhiteSpace(entry.Name) || entry.Name.Length > 100)
            {
                problems.Add($"{at}:Name must be 1 to 100 characters");
            }

            if (!ApiRoles.All.Contains(entry.Role, StringComparer.Ordinal))
            {
                problems.Add($"{at}:Role must be one of {string.Join(", ", ApiRoles.All)} (got '{entry.Role}')");
            }

            if (!Sha256Hex().IsMatch(entry.Sha256))
            {
                problems.Add($"{at}:Sha256 must be the SHA-256 of the key in 64 lowercase hex digits (new-key prints it)");
            }
        }

        foreach (var name in options.Keys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{AuthOptions.Section}:Keys: the name '{name.Key}' is used {name.Count()} times");
        }

        foreach (var hash in options.Keys.GroupBy(k => k.Sha256, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{AuthOptions.Section}:Keys: {string.Join(", ", hash.Select(k => k.Name))} have the same key");
        }

        if (options.Keys.Count == 0 && !loopbackOnly)
        {
            problems.Add($"{AuthOptions.Section}:Keys is empty, and Gateway:GrpcUrl or Gateway:HttpUrl listens beyond loopback: " +
                "configure API keys (the new-key command prints one) or listen on 127.0.0.1");
        }

        return problems;
    }

    public void Dispose() => _subscription?.Dispose();

    private static FrozenDictionary<string, ApiKeyEntry> ByHash(AuthOptions options) =>
        options.Keys.ToFrozenDictionary(k => k.Sha256, StringComparer.Ordinal);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();

    [LoggerMessage(Level = LogLevel.Error, Message = "Auth:Keys changed, but the change has problems and is ignored ({Problems}); the {Count} keys before it stay in force")]
    private static partial void LogReloadRefused(ILogger logger, string problems, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth:Keys reloaded: {Count} keys in force")]
    private static partial void LogReloaded(ILogger logger, int count);
}
