using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.Templates;
using Webhooks.Templates.Jinja;
using Webhooks.Templates.Jinja.Python;
using Xunit.Abstractions;

namespace Webhooks.Tests.Templates.Jinja;

/// <summary>Renders a corpus of templates (NetBox's documented examples and every construct NetBox users write)
/// with the real Jinja2 (Debian's python3-jinja2, as NetBox sets it up) and with our engine over the same contexts,
/// and requires the same output, or a failure from both.</summary>
public sealed class JinjaDifferentialTests(ITestOutputHelper output)
{
    /// <summary>Where we deliberately differ from Jinja2, and what we do instead: refuse the template (an error, never
    /// a different output), or render where Jinja2 prints a Python object or fails.</summary>
    private static readonly Dictionary<string, (bool WeRefuse, string Why)> KnownDifferences = new(StringComparer.Ordinal)
    {
        ["filter.unknown.in_false_branch"] = (true, "an unknown filter is refused when the webhook is saved, even in a branch that never runs"),
        ["test.unknown_in_false_branch"] = (true, "an unknown test is refused when the webhook is saved, even in a branch that never runs"),
        ["for.recursive"] = (true, "recursive loops are refused"),
        ["filter.tojson.int_keys"] = (true, "dict literals take string keys only (event data has no others)"),
        ["literal.dict_non_string_keys"] = (true, "dict literals take string keys only (event data has no others)"),
        ["filter.last.generator_error"] = (false, "map, select and the like give lists, not generators, so |last works on them"),
        ["filter.escape.twice"] = (false, "no Markup type: autoescape is off in NetBox, and |e always escapes"),
        ["filter.escape.safe_then_escape"] = (false, "no Markup type: autoescape is off in NetBox, and |e always escapes"),
        ["filter.escape.markup_plus"] = (false, "no Markup type: autoescape is off in NetBox, and |e always escapes"),
        ["test.escaped"] = (false, "no Markup type, so nothing is 'escaped'"),
        ["range.print"] = (false, "range() gives a list, which prints as one"),
        ["range.index_slice"] = (false, "range() gives a list, which prints as one"),
        ["method.dict.items_print"] = (false, "items() gives a list of tuples, which prints as one"),
        ["method.dict.keys_print"] = (false, "keys() gives a list, which prints as one"),
    };

    [Fact]
    public void EveryCase_RendersAsJinja2Does()
    {
        var corpusPath = Path.Combine(Jinja2Reference.Directory, "jinja-corpus.json");
        var corpus = JsonNode.Parse(File.ReadAllText(corpusPath))!.AsObject();
        var expected = Jinja2Reference.RunCorpus(corpusPath);
        var contexts = corpus["contexts"]!.AsObject().ToDictionary(
            p => p.Key,
            p => (IReadOnlyDictionary<string, object?>)PyJson.Parse(p.Value!.ToJsonString())!);

        var mismatches = new List<string>();
        var cases = corpus["cases"]!.AsArray();
        foreach (var item in cases)
        {
            var name = (string)item!["name"]!;
            var template = (string)item["template"]!;
            var (ours, ourError) = RenderOurs(template, contexts[(string)item["context"]!]);
            var theirs = expected[name]!.AsObject();
            var theirError = theirs["error"]?.GetValue<string>();
            if (KnownDifferences.TryGetValue(name, out var known))
            {
                if ((ourError is not null) != known.WeRefuse)
                {
                    mismatches.Add($"{name}: expected us to {(known.WeRefuse ? "refuse" : "render")} it ({known.Why}); ours: {ourError ?? JsonSerializer.Serialize(ours)}");
                }

                continue;
            }

            var same = theirError is not null ? ourError is not null : ourError is null && ours == (string)theirs["output"]!;
            if (!same)
            {
                mismatches.Add($"{name}: {JsonSerializer.Serialize(template)}\n  jinja2: {(theirError ?? JsonSerializer.Serialize((string)theirs["output"]!))}\n  ours:   {(ourError ?? JsonSerializer.Serialize(ours))}");
            }
        }

        foreach (var mismatch in mismatches)
        {
            output.WriteLine(mismatch);
        }

        Assert.True(cases.Count > 200, "the corpus was not read");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} cases differ from Jinja2:\n{string.Join("\n", mismatches)}");
    }

    private static (string? Output, string? Error) RenderOurs(string template, IReadOnlyDictionary<string, object?> context)
    {
        try
        {
            var limits = new TemplateLimits();
            var parsed = JinjaTemplate.Parse(template, JinjaLimits.From(limits));
            return (parsed.Render(context, new RenderBudget(limits.MaxOutputLength, limits.MaxRenderBytes)), null);
        }
        catch (Exception ex)
        {
            return (null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
