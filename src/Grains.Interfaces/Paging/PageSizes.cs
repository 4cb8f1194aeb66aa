using Webhooks.Errors;

namespace Webhooks.Paging;

/// <summary>The page size every list call accepts: 0 asks for the default, more than the maximum gets the maximum.</summary>
public static class PageSizes
{
    public const int Default = 50;
    public const int Max = 1000;

    public static int Resolve(int requested) => requested switch
    {
        < 0 => throw new InvalidFieldException("page_size", "must not be negative"),
        0 => Default,
        > Max => Max,
        _ => requested,
    };
}
