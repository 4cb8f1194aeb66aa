using System.Security.Cryptography;

namespace Webhooks.Silo;

/// <summary>`new-secrets-key`: prints a new random Secrets:Key, the AES-256 key that seals definitions on PostgreSQL.</summary>
internal static class NewSecretsKeyCommand
{
    public const string Name = "new-secrets-key";

    public static int Run(TextWriter output)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        output.WriteLine("A new Secrets:Key. Give every silo of the cluster the same one, keep it out of the database's backups,");
        output.WriteLine("and when you replace it keep this one under Secrets:PreviousKeys until every definition has been saved again.");
        output.WriteLine();
        output.WriteLine($"  Secrets__Key={key}");
        return 0;
    }
}
