using System.Security.Cryptography;

namespace Webhooks.Gateway.Auth;

/// <summary>`new-key --role admin --name ci`: prints a new random API key once, with the configuration lines that
/// admit it (its SHA-256, never the key).</summary>
public static class NewKeyCommand
{
    public const string Name = "new-key";

    /// <summary>Keys start with this, so that secret scanners and people recognise them.</summary>
    private const string Prefix = "whk_";

    /// <returns>The process exit code: 0, or 2 for a wrong command line.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? role = null, name = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--role" when i + 1 < args.Count:
                    role = args[++i];
                    break;
                case "--name" when i + 1 < args.Count:
                    name = args[++i];
                    break;
                default:
                    return Usage(error, $"unexpected argument '{args[i]}'");
            }
        }

        if (role is null || !ApiRoles.All.Contains(role, StringComparer.Ordinal))
        {
            return Usage(error, $"--role must be one of {string.Join(", ", ApiRoles.All)}");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl) || name.Contains('"', StringComparison.Ordinal))
        {
            return Usage(error, "--name must be 1 to 100 characters, without quotes or control characters");
        }

        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = ApiKeyRing.Hash(key);
        output.WriteLine($"API key for '{name}' (role {role}). It is shown only now: keep it secret; the service stores only its SHA-256.");
        output.WriteLine();
        output.WriteLine($"  {key}");
        output.WriteLine();
        output.WriteLine("Environment variables (N: an index no other key uses):");
        output.WriteLine($"  Auth__Keys__N__Name={name}");
        output.WriteLine($"  Auth__Keys__N__Role={role}");
        output.WriteLine($"  Auth__Keys__N__Sha256={hash}");
        output.WriteLine();
        output.WriteLine("or an entry of \"Auth\": { \"Keys\": [ … ] } in appsettings.json or the file Auth:KeysFile names (reloaded when it changes):");
        output.WriteLine($"  {{ \"Name\": \"{name}\", \"Role\": \"{role}\", \"Sha256\": \"{hash}\" }}");
        output.WriteLine();
        output.WriteLine($"Callers send: Authorization: Bearer {key}");
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine($"{Name}: {problem}. Usage: {Name} --role publisher|reader|admin --name <who holds it>");
        return 2;
    }
}
