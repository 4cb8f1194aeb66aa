using System.Text.RegularExpressions;

namespace Webhooks.Events;

/// <summary>Object type names: "app_label.model" and deeper dotted names, lowercase.</summary>
public static partial class ObjectTypes
{
    public const string Rule = "dot-separated parts of a-z, 0-9, '_' and '-' such as dcim.device, at most 100 characters";

    public static bool IsValid(string name) => name.Length <= 100 && Pattern().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
