using Webhooks.Errors;
using Webhooks.Resources;

namespace Webhooks.Gateway.Mapping;

internal static class RequestIds
{
    /// <summary>The id of a resource that must exist. An id that could never have been created is NOT_FOUND
    /// right away instead of activating a grain for it.</summary>
    public static string Existing(string id, string field, string kind)
    {
        if (id.Length == 0)
        {
            throw new InvalidFieldException(field, "is required");
        }

        return ResourceIds.IsValid(id) ? id : throw new ResourceNotFoundException(kind, id);
    }
}
