using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Webhooks.Tests.Templates.Jinja;

/// <summary>The real Jinja2 (Debian's python3-jinja2, set up as NetBox sets it up: render_jinja.py) as an oracle:
/// renders templates over contexts and says what each renders, or how it fails.</summary>
internal static class Jinja2Reference
{
    private const string Python = "/usr/bin/python3";

    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Templates", "Jinja");

    /// <summary>Runs a corpus file ({"contexts": {…}, "cases": [{name, template, context}]}); the answer maps each case
    /// name to {"output": …} or {"error": …}.</summary>
    public static JsonObject RunCorpus(string corpusPath)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; .ci/run installs Debian's python3 and python3-jinja2");
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { Path.Combine(Directory, "render_jinja.py"), corpusPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the reference renderer did not finish in 60 s");
        Assert.True(process.ExitCode == 0, $"the reference renderer failed (is python3-jinja2 installed?): {stderr.Result}");
        return JsonNode.Parse(stdout.Result)!.AsObject();
    }

    /// <summary>What Jinja2 renders <paramref name="template"/> to over <paramref name="contextJson"/>; fails the test
    /// when Jinja2 itself fails.</summary>
    public static string Render(string template, string contextJson)
    {
        var corpus = new JsonObject
        {
            ["contexts"] = new JsonObject { ["c"] = JsonNode.Parse(contextJson) },
            ["cases"] = new JsonArray(new JsonObject { ["name"] = "t", ["template"] = template, ["context"] = "c" }),
        };
        var path = Path.Combine(Path.GetTempPath(), $"jinja-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, corpus.ToJsonString());
        try
        {
            var result = RunCorpus(path)["t"]!.AsObject();
            Assert.True(result["output"] is not null, $"Jinja2 failed: {result["error"]}");
            return (string)result["output"]!;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
