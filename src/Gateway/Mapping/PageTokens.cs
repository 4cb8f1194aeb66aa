using System.Buffers.Text;
using System.Text;
using Webhooks.Errors;

namespace Webhooks.Gateway.Mapping;

/// <summary>Opaque page tokens for id-ordered lists: the last id of the previous page.</summary>
internal static class PageTokens
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastId));

    public static string? Decode(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new InvalidFieldException("page_token", "is not a token returned by a previous page");
        }
    }

    public static int PageSize(int requested) => requested switch
    {
        < 0 => throw new InvalidFieldException("page_size", "must not be negative"),
        0 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        _ => requested,
    };
}
