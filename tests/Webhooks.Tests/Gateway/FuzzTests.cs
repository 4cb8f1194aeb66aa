using System.Collections;
using System.Net;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Gateway;

/// <summary>Thousands of random, malformed and oversized requests to every RPC, over gRPC and JSON, through the real
/// gateway while valid events flow: every answer is a clean status (never INTERNAL, UNKNOWN or HTTP 5xx), and every
/// valid event still arrives, once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FuzzTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    // Fixed, so that a failure can be replayed; the failing request is printed with it.
    private const int Seed = 20261207;
    private const int CallsPerRpc = 120;
    private const int ValidEvents = 300;
    private static readonly int MaxRequestBytes = new Webhooks.Gateway.Hosting.GatewayOptions().MaxRequestBytes;

    private static readonly StatusCode[] Unclean = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss];

    private static readonly string[] Tricky =
    [
        "", " ", "\0", "\r\n", "a\r\nX-Evil: 1", "{{ data }}", "{% for i in (1..100000000) %}x{% endfor %}", "'", "\"", "\\",
        "http://169.254.169.254/", "http://[::1]:5000/", "ep_", "*", "dcim.*", "../../etc/passwd", "\uffff", "\ud800",
        "日本語", "-1", "9999999999999999999999", "NaN", "true", "null", "<script>", "%00", "a.b", "A.B",
    ];


    [Fact]
    public async Task RandomRequestsToEveryRpc_GetCleanErrors_WhileValidEventsAllArrive()
    {
        var type = $"fuzz{Prefix}.device";
        var endpoint = await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest { Endpoint = new Endpoint { Name = "valid", Url = $"{Receiver.Url}/valid", MaxInFlight = 8 } });
        await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "valid", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint.Id }, BodyTemplate = "{{ event_id }}" },
        });
        var valid = PublishValidAsync(type);

        var random = new Random(Seed);
        var unclean = new List<string>();
        var calls = 0;
        var undecodable = 0;
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.HttpUrl), Timeout = TimeSpan.FromSeconds(30) };
        // ImportConfig with prune would delete this test's own endpoint (and everything else on the shared cluster): it is
        // fuzzed on a cluster of its own (ConfigPruneTests).
        foreach (var rpc in ApiRpcs.All.Where(r => r.FullName != "webhooks.v1.Config.ImportConfig"))
        {
            for (var i = 0; i < CallsPerRpc; i++)
            {
                var (payload, what) = Payload(random, rpc.InputType, i);
                var status = await ApiRpcs.CallAsync(Gateway.Channel, rpc, payload);
                calls++;
                if (Unclean.Contains(status))
                {
                    unclean.Add($"gRPC {rpc.FullName} #{i} ({what}): {status} for {Describe(rpc.InputType, payload)}");
                }

                if (!Decodes(rpc.InputType, payload))
                {
                    undecodable++;
                    if (status != StatusCode.InvalidArgument)
                    {
                        unclean.Add($"gRPC {rpc.FullName} #{i} ({what}): {status} for bytes that do not decode, not INVALID_ARGUMENT");
                    }
                }

                if (i % 3 == 0)
                {
                    var (code, body) = await JsonAsync(http, rpc, random, payload);
                    calls++;
                    if ((int)code >= 500)
                    {
                        unclean.Add($"JSON {rpc.FullName} #{i} ({what}): {(int)code} {body}");
                    }
                }
            }
        }

        var published = await valid;
        Assert.True(calls > 2000, $"{calls} calls");
        Assert.True(undecodable > 100, $"{undecodable} requests that do not decode");
        Assert.True(unclean.Count == 0, $"seed {Seed}:\n{string.Join("\n", unclean.Take(30))}");
        var arrived = await Receiver.WaitForAsync("/valid", published.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(published.Order(StringComparer.Ordinal), arrived.Select(r => r.BodyText).Order(StringComparer.Ordinal));
    }

    /// <summary>The request as protobuf JSON, cut short, so that a failure names what was sent.</summary>
    internal static string Describe(MessageDescriptor type, byte[] payload)
    {
        try
        {
            var text = type.Parser!.ParseFrom(payload).ToString() ?? "";
            return text.Length > 2000 ? text[..2000] + "…" : text;
        }
        catch (InvalidProtocolBufferException)
        {
            return $"{payload.Length} bytes that do not decode";
        }
        catch (InvalidOperationException ex)
        {
            // A message JSON cannot express (a Value with no kind set): the bytes, then.
            return $"{ex.Message} {Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, 200)))}";
        }
    }

    private async Task<List<string>> PublishValidAsync(string type)
    {
        var ids = new List<string>();
        // Paced, so that valid events keep flowing while the fuzzing runs.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        for (var i = 0; i < ValidEvents && await pace.WaitForNextTickAsync(); i++)
        {
            var reply = await EventsApi.PublishAsync(new PublishRequest
            {
                Event = new ObjectEvent { ObjectType = type, Event = "created", Data = Google.Protobuf.WellKnownTypes.Struct.Parser.ParseJson($$"""{"n": {{i}}}""") },
            });
            ids.Add(reply.EventId);
        }

        return ids;
    }

    private static async Task<(HttpStatusCode, string)> JsonAsync(HttpClient http, MethodDescriptor rpc, Random random, byte[] payload)
    {
        var (method, template, hasBody) = ApiRpcs.Route(rpc);
        var path = System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", _ => Uri.EscapeDataString(Pick(random, Tricky) + random.Next()));
        using var request = new HttpRequestMessage(method, path);
        var bodyBytes = 0;
        if (hasBody)
        {
            // Either the random message as JSON, or bytes that are not JSON at all.
            var body = random.Next(3) == 0
                ? Encoding.UTF8.GetString(payload)
                : TryJson(rpc.InputType, payload) ?? "{\"unterminated\": [";
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            bodyBytes = Encoding.UTF8.GetByteCount(body);
        }

        try
        {
            return await ApiRpcs.SendJsonAsync(http, rpc, request);
        }
        catch (HttpRequestException ex) when (ex.InnerException is IOException && bodyBytes > MaxRequestBytes)
        {
            // A body over Gateway:MaxRequestBytes is answered 413 from its Content-Length and the connection closed
            // without reading it: the client may still be writing when it closes. That is the refusal, not a fault.
            return (HttpStatusCode.RequestEntityTooLarge, $"closed while sending {bodyBytes} bytes");
        }
    }

    private static bool Decodes(MessageDescriptor type, byte[] payload)
    {
        try
        {
            type.Parser.ParseFrom(payload);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static string? TryJson(MessageDescriptor type, byte[] payload)
    {
        try
        {
            return JsonFormatter.Default.Format(type.Parser.ParseFrom(payload));
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Random bytes, a truncated message, or a message whose fields hold random and hostile values.</summary>
    internal static (byte[] Payload, string What) Payload(Random random, MessageDescriptor type, int i)
    {
        switch (i % 10)
        {
            case 0:
                return (RandomBytes(random, random.Next(1, 200)), "random bytes");
            case 1:
                var whole = RandomMessage(random, type, 0).ToByteArray();
                return (whole[..(whole.Length / 2)], "truncated message");
            case 2 when i % 40 == 2:
                return (RandomMessage(random, type, 0, hugeStrings: true).ToByteArray(), "oversized strings");
            default:
                return (RandomMessage(random, type, 0).ToByteArray(), "random message");
        }
    }

    private static IMessage RandomMessage(Random random, MessageDescriptor type, int depth, bool hugeStrings = false)
    {
        var message = (IMessage)Activator.CreateInstance(type.ClrType)!;
        foreach (var field in type.Fields.InDeclarationOrder())
        {
            if (random.Next(3) == 0 || (depth > 3 && field.FieldType == FieldType.Message))
            {
                continue;
            }

            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                var valueField = field.MessageType.FindFieldByNumber(2);
                for (var n = random.Next(4); n > 0; n--)
                {
                    map[RandomString(random, false)] = Value(random, valueField, depth + 1, hugeStrings);
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var n = random.Next(4); n > 0; n--)
                {
                    list.Add(Value(random, field, depth + 1, hugeStrings));
                }
            }
            else
            {
                field.Accessor.SetValue(message, Value(random, field, depth + 1, hugeStrings));
            }
        }

        return message;
    }

    private static object Value(Random random, FieldDescriptor field, int depth, bool hugeStrings) => field.FieldType switch
    {
        FieldType.String => RandomString(random, hugeStrings),
        FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random, random.Next(50))),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Pick(random, [0, -1, 1, int.MaxValue, int.MinValue, random.Next()]),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Pick(random, [0L, -1L, long.MaxValue, long.MinValue, random.NextInt64()]),
        FieldType.UInt32 or FieldType.Fixed32 => Pick(random, [0u, uint.MaxValue, (uint)random.Next()]),
        FieldType.UInt64 or FieldType.Fixed64 => Pick(random, [0ul, ulong.MaxValue, (ulong)random.NextInt64()]),
        FieldType.Double => Pick(random, [0d, double.NaN, double.PositiveInfinity, -1e308, random.NextDouble()]),
        FieldType.Float => Pick(random, [0f, float.NaN, float.NegativeInfinity, (float)random.NextDouble()]),
        FieldType.Enum => Pick(random, [0, 1, 2, 3, 99, -5]),
        _ => RandomMessage(random, field.MessageType, depth, hugeStrings),
    };

    private static string RandomString(Random random, bool huge)
    {
        if (huge)
        {
            return new string((char)random.Next('a', 'z'), random.Next(100_000, 2_000_000));
        }

        return random.Next(4) switch
        {
            0 => Pick(random, Tricky),
            1 => new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(0, 0x3000)).ToArray()),
            2 => new string('x', Pick(random, [200, 1001, 5000, 70_000])),
            _ => Pick(random, Tricky) + random.Next(),
        };
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];
}
