using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Events;
using Webhooks.Rules;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Gateway.Mapping;

internal static class DeadLetterMapping
{
    public const int MaxPageSize = 100;

    private static readonly JsonParser Snapshots = JsonParser.Default;

    public static Proto.DeadLetter ToProto(DeadLetter d) => new()
    {
        Event = ToProto(d.Event),
        Error = d.Error,
        Failures = d.Failures,
        FirstFailureTime = ProtoTime.ToProto(d.FirstFailedAt),
        DeadLetterTime = ProtoTime.ToProto(d.DeadLetteredAt),
        AcceptTime = ProtoTime.ToProto(d.Event.AcceptedAt),
    };

    private static Proto.ObjectEvent ToProto(ObjectEvent e) => new()
    {
        EventId = e.EventId,
        ObjectType = e.ObjectType,
        Event = e.Event,
        ObjectId = e.ObjectId,
        Timestamp = ProtoTime.ToProto(e.Timestamp),
        Username = e.Username,
        RequestId = e.RequestId,
        Data = Struct(e.Data),
        Prechange = Struct(e.Prechange),
        Postchange = Struct(e.Postchange),
    };

    private static Struct? Struct(string? json) => json is null ? null : Snapshots.Parse<Struct>(json);
}
