using System.Text.RegularExpressions;

namespace Webhooks.Events;

/// <summary>Event names: "created", "updated", "deleted" or a custom lowercase token ("job_ended").</summary>
public static partial class EventNames
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";

    public const string Rule = "lowercase letters, digits and '_', starting with a letter, at most 64 characters";

    public static bool IsValid(string name) => name.Length <= 64 && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
