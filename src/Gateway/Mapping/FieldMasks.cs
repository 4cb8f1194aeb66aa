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

        foreach (var path in mask.Paths)
        {
            if (!updatable.Contains(path))
            {
                throw new InvalidFieldException("update_mask", $"'{path}' is not an updatable {kind} field");
            }
        }

        return [.. mask.Paths.Distinct(StringComparer.Ordinal)];
    }
}
