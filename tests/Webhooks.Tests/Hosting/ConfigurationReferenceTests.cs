using System.Globalization;
using System.Reflection;
using ClusterMembershipOptions = Orleans.Configuration.ClusterMembershipOptions;
using Webhooks.Conditions;
using Webhooks.Endpoints;
using Webhooks.Gateway.Auth;
using Webhooks.Gateway.Hosting;
using Webhooks.Hosting;
using Webhooks.Placement;
using Webhooks.Streaming;
using Webhooks.Templates;

namespace Webhooks.Tests.Hosting;

/// <summary>docs/operations.md's table of settings is the options classes, key for key and default for default, so
/// that it cannot drift from what the service reads.</summary>
public sealed class ConfigurationReferenceTests
{
    private static readonly Type[] OptionsClasses =
    [
        typeof(GatewayOptions), typeof(SiloClusterOptions), typeof(StorageOptions), typeof(EventQueueOptions),
        typeof(DeliveryOptions), typeof(ConditionOptions), typeof(TemplateLimits), typeof(RebalancingOptions), typeof(AuthOptions),
        typeof(Webhooks.Secrets.SecretsOptions), typeof(Webhooks.DeadLetters.PoisonEventOptions), typeof(TelemetryOptions),
    ];

    /// <summary>The Orleans membership settings the table names; the silo binds the whole class under this section.</summary>
    private static readonly string[] MembershipSettings =
    [
        nameof(ClusterMembershipOptions.ProbeTimeout), nameof(ClusterMembershipOptions.NumMissedProbesLimit),
        nameof(ClusterMembershipOptions.NumVotesForDeathDeclaration),
    ];

    [Fact]
    public void OperationsTable_ListsEverySettingOfTheOptionsClasses_WithItsDefault()
    {
        var documented = DocumentedSettings();
        var actual = OptionsClasses.Select(o => Settings(o, (string)o.GetField("Section", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!))
            .Append(Settings(typeof(ClusterMembershipOptions), SiloClusterOptions.MembershipSection).Where(s => MembershipSettings.Any(m => s.Key.EndsWith(":" + m, StringComparison.Ordinal))))
            .SelectMany(s => s)
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);

        Assert.Empty(actual.Keys.Except(documented.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Keys.Except(actual.Keys).Order(StringComparer.Ordinal));
        var wrong = actual.Where(s => documented[s.Key] != s.Value).Select(s => $"{s.Key}: documented {documented[s.Key]}, actually {s.Value}").ToList();
        Assert.Empty(wrong);
    }

    private static IEnumerable<KeyValuePair<string, string>> Settings(Type options, string section)
    {
        var defaults = Activator.CreateInstance(options)!;
        return options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .Select(p => new KeyValuePair<string, string>($"{section}:{p.Name}", Format(p.GetValue(defaults))));
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        System.Collections.ICollection { Count: 0 } => "-",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "-",
    };

    /// <summary>The rows of the table that follows "Every setting": key → default, as written (without backticks).</summary>
    private static Dictionary<string, string> DocumentedSettings()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "operations.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("Every setting", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/operations.md has the table of every setting");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            settings.Add(cells[1].Trim('`'), cells[2].Trim('`'));
        }

        return settings;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Orleans.sln) not found above " + AppContext.BaseDirectory);
    }
}
