namespace Webhooks.Errors;

public static class FieldPaths
{
    /// <summary>Runs <paramref name="map"/>, naming a document's entry in any field it refuses: with
    /// <paramref name="prefix"/> "endpoint." and <paramref name="entry"/> "document.endpoints[2]", a refusal of
    /// "endpoint.url" becomes one of "document.endpoints[2].url".</summary>
    public static T Within<T>(string entry, string prefix, Func<T> map)
    {
        try
        {
            return map();
        }
        catch (InvalidFieldException ex) when (ex.Field.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidFieldException($"{entry}.{ex.Field[prefix.Length..]}", ex.Reason);
        }
    }
}
