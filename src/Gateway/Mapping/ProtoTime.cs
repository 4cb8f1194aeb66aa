using Google.Protobuf.WellKnownTypes;
using Webhooks.Errors;

namespace Webhooks.Gateway.Mapping;

internal static class ProtoTime
{
    public static Timestamp? ToProto(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    public static Duration ToProto(TimeSpan value) => Duration.FromTimeSpan(value);

    public static DateTimeOffset ToDateTimeOffset(Timestamp value, string field)
    {
        try
        {
            return value.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw new InvalidFieldException(field, "is not a valid timestamp");
        }
    }
}
