using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Webhooks.Gateway.Mapping;

namespace Webhooks.Tests.Gateway;

public sealed class StructJsonTests
{
    [Theory]
    [InlineData("""{"address":"10.0.0.1/24","status":{"value":"active","label":"Active"},"tags":[{"slug":"a"},{"slug":"b"}]}""")]
    [InlineData("""{"n":1,"big":12345678901234,"frac":0.1,"neg":-2.5e-7,"t":true,"f":false,"none":null,"empty":{},"list":[]}""")]
    [InlineData("""{"text":"quote \" backslash \\ newline \n tab \t unicode é ✓ 😀 control \u0001","<tag>":"&amp;"}""")]
    public void Format_WritesTheSameJsonValueAsJsonFormatter(string json)
    {
        var value = Struct.Parser.ParseJson(json);

        var ours = JsonDocument.Parse(StructJson.Format(value)).RootElement;
        var reference = JsonDocument.Parse(JsonFormatter.Default.Format(value)).RootElement;

        Assert.True(JsonElement.DeepEquals(reference, ours), $"{StructJson.Format(value)} differs from {JsonFormatter.Default.Format(value)}");
    }
}
