using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Errors;

namespace Webhooks.Gateway.Mapping;

/// <summary>AIP-134 update masks: the mask's paths, or with no mask every field the request sets.</summary>
internal static class FieldMasks
{
    public static ImmutableArray<string> Resolve(FieldMask? mask, IReadOnlySet<string> updatable, string kind, params (bool Set, string Field)[] populated)
    {
        if (mask is not { Paths.Count: > 0 })
        {
            return [.. populated.Where(p => p.Set).Select(p => p.Field)];
        }

        var fields = new List<string>(mask.Paths.Count);
        foreach (var path in mask.Paths)
        {
            var name = SnakeCase(path);
            if (!updatable.Contains(name))
            {
                throw new InvalidFieldException("update_mask", $"'{path}' is not an updatable {kind} field");
            }

            fields.Add(name);
        }

        return [.. fields.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A path as the proto names it. JSON clients write a mask as the body names fields (lowerCamelCase,
    /// e.g. <c>?updateMask=maxInFlight</c>), and JSON transcoding passes a query-string mask on unconverted.</summary>
    private static string SnakeCase(string path)
    {
        if (!path.Any(char.IsAsciiLetterUpper))
        {
            return path;
        }

        var name = new System.Text.StringBuilder(path.Length + 4);
        foreach (var c in path)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                name.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                name.Append(c);
            }
        }

        return name.ToString();
    }
}
