using Webhooks.Templates.Jinja.Python;

namespace Webhooks.Templates.Jinja.Runtime;

/// <summary>The arguments of one filter, test or call: positional, then by keyword, as Python binds them.</summary>
internal readonly struct Arguments(object?[] positional, Dictionary<string, object?>? named)
{
    public static readonly Arguments None = new([], null);

    public object?[] Positional { get; } = positional;

    public Dictionary<string, object?>? Named { get; } = named;

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>; <paramref name="fallback"/>
    /// when neither was given.</summary>
    public object? Get(int index, string name, object? fallback = null)
    {
        if (index < Positional.Length)
        {
            return Positional[index];
        }

        return Named is not null && Named.TryGetValue(name, out var value) ? value : fallback;
    }

    public bool Has(int index, string name) => index < Positional.Length || (Named?.ContainsKey(name) ?? false);

    /// <summary>Throws TypeError when more than <paramref name="max"/> positional arguments were given, or a keyword
    /// outside <paramref name="names"/>.</summary>
    public void Check(string function, int max, params string[] names)
    {
        if (Positional.Length > max)
        {
            throw PyException.TypeError($"{function}() takes at most {max} arguments ({Positional.Length} given)");
        }

        if (Named is null)
        {
            return;
        }

        foreach (var key in Named.Keys)
        {
            var position = Array.IndexOf(names, key);
            if (position < 0)
            {
                throw PyException.TypeError($"{function}() got an unexpected keyword argument '{key}'");
            }

            if (position < Positional.Length)
            {
                throw PyException.TypeError($"{function}() got multiple values for argument '{key}'");
            }
        }
    }

    public int GetInt(int index, string name, int fallback)
    {
        var value = Get(index, name, fallback);
        return value switch
        {
            long l and >= int.MinValue and <= int.MaxValue => (int)l,
            int i => i,
            bool b => b ? 1 : 0,
            _ => throw PyException.TypeError($"'{name}' must be an integer, not '{PyOps.TypeName(value)}'"),
        };
    }

    public bool GetBool(int index, string name, bool fallback) => PyOps.IsTrue(Get(index, name, fallback));
}
