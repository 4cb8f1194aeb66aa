using Google.Protobuf.WellKnownTypes;

namespace Webhooks.Gateway.Mapping;

internal static class ProtoTime
{
    public static Timestamp? ToProto(DateTimeOffset? value) => value is { } v ? Timestamp.FromDateTimeOffset(v) : null;

    public static Duration ToProto(TimeSpan value) => Duration.FromTimeSpan(value);
}
