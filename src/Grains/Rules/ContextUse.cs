namespace Webhooks.Rules;

/// <summary>Which costly parts of the event context a condition or template can reach, judged from its text.
/// Conservative: a name that merely appears (in a string, a comment) only costs a parse that was not needed;
/// code that could reach values without naming them ("arguments", "this") gets everything.</summary>
public readonly record struct ContextUse(bool Data, bool Snapshots, bool Changes)
{
    public static readonly ContextUse All = new(true, true, true);

    public static ContextUse Of(params string[] sources)
    {
        var use = new ContextUse(false, false, false);
        foreach (var source in sources)
        {
            if (source.Contains("arguments", StringComparison.Ordinal) || source.Contains("this", StringComparison.Ordinal))
            {
                return All;
            }

            use = new ContextUse(
                use.Data || source.Contains("data", StringComparison.Ordinal),
                use.Snapshots || source.Contains("snapshots", StringComparison.Ordinal),
                use.Changes || source.Contains("changes", StringComparison.Ordinal));
        }

        return use;
    }
}
