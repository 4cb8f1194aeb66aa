using System.Text.Json;
using Webhooks.Conditions;
using Webhooks.Conditions.NetBox;
using Webhooks.Errors;

namespace Webhooks.Tests.Conditions;

/// <summary>NetBox's own condition test suite (netbox/extras/tests/test_conditions.py, NetBox 4.7), its cases carried
/// over as data (netbox-condition-cases.json): every condition NetBox refuses is refused, and every evaluation gives
/// NetBox's answer: match, no match, or invalid (which fails closed).</summary>
public sealed class NetBoxConditionCasesTests
{
    public static IEnumerable<object[]> Cases() => NetBoxConditionCases.All.Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachCase_GivesNetBoxsAnswer(string name)
    {
        var entry = NetBoxConditionCases.Get(name);
        if (!entry.Valid)
        {
            var refused = Assert.Throws<InvalidFieldException>(() => NetBoxConditionSet.Parse(entry.Conditions, TimeSpan.FromSeconds(1)));
            Assert.Equal("webhook.conditions", refused.Field);
            return;
        }

        var set = NetBoxConditionSet.Parse(entry.Conditions, TimeSpan.FromSeconds(1));
        foreach (var (data, expect, index) in entry.Cases.Select((c, i) => (c.Data, c.Expect, i)))
        {
            var absent = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("__absent__", out _);
            var root = new ConditionRoot(data, absent: absent);
            if (expect == "invalid")
            {
                Assert.Throws<ConditionException>(() => set.Evaluate(root));
            }
            else
            {
                Assert.True(expect == (set.Evaluate(root) ? "true" : "false"), $"case {index} of {name}: expected {expect}");
            }
        }
    }
}
