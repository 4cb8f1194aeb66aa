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

    [Fact]
    public void Format_AfterALargeEventAndARefusedOne_StillWritesEachEventAlone()
    {
        // Each thread reuses its buffer: what one event left in it (a large one, or one refused half-way) must not
        // reach the next.
        var large = Struct.Parser.ParseJson($$"""{"pad":"{{new string('x', 200_000)}}","n":1}""");
        var refused = new Struct { Fields = { ["a"] = Value.ForString("kept?"), ["bad"] = Value.ForNumber(double.NaN) } };
        var small = Struct.Parser.ParseJson("""{"name":"sw-01","tags":["a"]}""");

        foreach (var value in new[] { small, large, small })
        {
            Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(JsonFormatter.Default.Format(value)).RootElement, JsonDocument.Parse(StructJson.Format(value)).RootElement));
        }

        Assert.Throws<Webhooks.Errors.InvalidFieldException>(() => StructJson.Format(refused));
        Assert.Equal("""{"name":"sw-01","tags":["a"]}""", StructJson.Format(small));
    }
}
