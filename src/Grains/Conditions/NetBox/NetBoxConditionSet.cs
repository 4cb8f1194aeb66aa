using System.Collections.Immutable;
using System.Text.Json;
using Webhooks.Errors;
using Webhooks.Rules;

namespace Webhooks.Conditions.NetBox;

/// <summary>A condition or a nested and/or of them: what a NetBox condition set is made of.</summary>
internal interface INetBoxRule
{
    /// <summary>Throws <see cref="ConditionException"/> where NetBox raises InvalidCondition.</summary>
    bool Evaluate(ConditionRoot root);
}

internal enum NetBoxOperator { Eq, Gt, Gte, Lt, Lte, In, Contains, Regex, Changed, Unchanged }

internal static class NetBoxOperators
{
    public static string Name(this NetBoxOperator op) => op.ToString().ToLowerInvariant();
}

/// <summary>A NetBox event rule's condition set (<c>{"and": [...]}</c>, <c>{"or": [...]}</c>, nested, or one bare
/// condition), checked as NetBox checks it when a rule is saved and evaluated as NetBox does per event: in order,
/// short-circuiting, a path that does not resolve failing the whole set (fail closed).</summary>
internal sealed class NetBoxConditionSet : INetBoxRule, IEventCondition
{
    private const string Field = "webhook.conditions";
    private static readonly string[] Keys = ["attr", "value", "op", "negate"];

    private readonly bool _any;
    private readonly ImmutableArray<INetBoxRule> _rules;

    private NetBoxConditionSet(bool any, ImmutableArray<INetBoxRule> rules) => (_any, _rules) = (any, rules);

    /// <summary>Parses a condition set from its JSON; throws <see cref="InvalidFieldException"/> naming
    /// <c>webhook.conditions</c> and what is wrong, as NetBox refuses to save it.</summary>
    public static NetBoxConditionSet Parse(string json, TimeSpan regexTimeout)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidFieldException(Field, $"is not JSON: {ex.Message}");
        }

        return ParseSet(root, "", regexTimeout, topLevel: true);
    }

    private static NetBoxConditionSet ParseSet(JsonElement set, string path, TimeSpan regexTimeout, bool topLevel)
    {
        if (set.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"must be an object, not {PythonValues.TypeName(set)}");
        }

        var properties = set.EnumerateObject().ToList();
        if (properties.Count != 1)
        {
            // A bare condition stands for a set of one.
            return new NetBoxConditionSet(false, [ParseCondition(set, path, regexTimeout)]);
        }

        // The outermost logic key is read case-insensitively, nested ones exactly (as NetBox does).
        var logic = topLevel ? properties[0].Name.ToLowerInvariant() : properties[0].Name;
        if (logic is not ("and" or "or"))
        {
            throw Invalid(path, $"'{properties[0].Name}' is not 'and' or 'or' (a condition needs at least attr and value)");
        }

        if (properties[0].Value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"{path}.{properties[0].Name}", "must be a list of conditions");
        }

        var rules = ImmutableArray.CreateBuilder<INetBoxRule>();
        var index = 0;
        foreach (var item in properties[0].Value.EnumerateArray())
        {
            var itemPath = $"{path}.{properties[0].Name}[{index++}]";
            rules.Add(IsRuleSet(item) ? ParseSet(item, itemPath, regexTimeout, topLevel: false) : ParseCondition(item, itemPath, regexTimeout));
        }

        return new NetBoxConditionSet(logic == "or", rules.ToImmutable());
    }

    private static bool IsRuleSet(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        using var properties = item.EnumerateObject();
        return properties.MoveNext() && properties.Current.Name is "and" or "or" && !properties.MoveNext();
    }

    private static NetBoxCondition ParseCondition(JsonElement condition, string path, TimeSpan regexTimeout)
    {
        if (condition.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"a condition must be an object, not {PythonValues.TypeName(condition)}");
        }

        foreach (var property in condition.EnumerateObject())
        {
            if (!Keys.Contains(property.Name))
            {
                throw Invalid(path, $"unknown key '{property.Name}' (a condition has attr, value, op and negate)");
            }
        }

        if (!condition.TryGetProperty("attr", out var attrElement) || attrElement.ValueKind != JsonValueKind.String || attrElement.GetString() is not { Length: > 0 } attr)
        {
            throw Invalid(path, "attr is required: the dotted path of the attribute, e.g. status.value");
        }

        var op = NetBoxOperator.Eq;
        if (condition.TryGetProperty("op", out var opElement))
        {
            if (opElement.ValueKind != JsonValueKind.String || !Enum.TryParse(opElement.GetString(), ignoreCase: true, out op)
                || opElement.GetString() != op.Name())
            {
                throw Invalid(path, $"unknown operator {opElement.GetRawText()}: must be one of {string.Join(", ", Enum.GetValues<NetBoxOperator>().Select(o => o.Name()))}");
            }
        }

        var negate = false;
        if (condition.TryGetProperty("negate", out var negateElement))
        {
            negate = negateElement.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Invalid(path, "negate must be true or false"),
            };
        }

        var hasValue = condition.TryGetProperty("value", out var value);
        if (op is NetBoxOperator.Changed or NetBoxOperator.Unchanged)
        {
            if (hasValue)
            {
                throw Invalid(path, $"the '{op.Name()}' operator compares the snapshots and takes no value");
            }

            if (attr.StartsWith("snapshots.", StringComparison.Ordinal))
            {
                throw Invalid(path, $"the '{op.Name()}' operator looks '{attr}' up in each snapshot: name the attribute itself (e.g. status), not a snapshot path");
            }

            return new NetBoxCondition(attr, op, null, negate, regexTimeout);
        }

        if (!hasValue)
        {
            throw Invalid(path, $"a value is required for the '{op.Name()}' operator");
        }

        var allowed = AllowedFor(value);
        if (allowed is null)
        {
            throw Invalid(path, $"unsupported value type {PythonValues.TypeName(value)}: a string, number, boolean, list or null");
        }

        if (!allowed.Contains(op))
        {
            throw Invalid(path, $"'{op.Name()}' cannot take a {PythonValues.TypeName(value)} value (it admits {string.Join(", ", allowed.Select(o => o.Name()))})");
        }

        try
        {
            return new NetBoxCondition(attr, op, value, negate, regexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw Invalid(path, $"the regex does not compile: {ex.Message}");
        }
    }

    /// <summary>The operators a value's type admits, as NetBox lists them; null for a type it does not support.</summary>
    private static NetBoxOperator[]? AllowedFor(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [NetBoxOperator.Eq, NetBoxOperator.Contains, NetBoxOperator.Regex],
        JsonValueKind.True or JsonValueKind.False => [NetBoxOperator.Eq, NetBoxOperator.Contains],
        JsonValueKind.Number => [NetBoxOperator.Eq, NetBoxOperator.Gt, NetBoxOperator.Gte, NetBoxOperator.Lt, NetBoxOperator.Lte, NetBoxOperator.Contains],
        JsonValueKind.Array => [NetBoxOperator.Eq, NetBoxOperator.In, NetBoxOperator.Contains],
        JsonValueKind.Null => [NetBoxOperator.Eq],
        _ => null,
    };

    private static InvalidFieldException Invalid(string path, string reason) =>
        new(Field, path.Length == 0 ? reason : $"{path.TrimStart('.')}: {reason}");

    public bool Evaluate(ConditionRoot root) => _any ? _rules.Any(rule => rule.Evaluate(root)) : _rules.All(rule => rule.Evaluate(root));

    /// <summary>Evaluates against an event: its data, with its snapshots beside the data's fields.</summary>
    public bool Evaluate(EventContext context) => Evaluate(context.ConditionRoot);

    public void Dispose()
    {
    }
}
