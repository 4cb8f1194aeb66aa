using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Filters on lists, tuples, dicts and strings as sequences: first, last, length, join, sort, map, select
/// and friends. Where Jinja2 returns a generator, these return a list (which prints as one).</summary>
internal static class SequenceFilters
{
    public static void Register(Dictionary<string, FilterFunction> filters)
    {
        filters["length"] = filters["count"] = (_, v, a) => { a.Check("length", 0); return (long)PyOps.Length(v); };
        filters["list"] = (_, v, a) => { a.Check("list", 0); return PyOps.Iterate(v).ToList(); };
        filters["first"] = (_, v, a) =>
        {
            a.Check("first", 0);
            var items = PyOps.Iterate(v);
            return items.Count > 0 ? items[0] : new Undefined("No first item, sequence was empty.");
        };
        filters["last"] = (_, v, a) =>
        {
            a.Check("last", 0);
            var items = v is Undefined ? throw PyException.TypeError("'Undefined' object is not reversible") : PyOps.Iterate(v);
            return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
        };
        filters["join"] = (state, v, a) =>
        {
            a.Check("join", 2, "d", "attribute");
            var items = PyOps.Iterate(v);
            if (a.Get(1, "attribute") is { } attribute)
            {
                var getter = AttributeGetter.Create(attribute, null);
                items = items.Select(getter).ToList();
            }

            return PyStrings.Join(state, PyText.Str(a.Get(0, "d", "")), items, requireStrings: false);
        };
        filters["reverse"] = (_, v, a) =>
        {
            a.Check("reverse", 0);
            return v is string s ? string.Concat(PyText.Characters(s).Cast<string>().Reverse()) : PyOps.Iterate(v).Reverse().ToList();
        };
        filters["sort"] = (_, v, a) =>
        {
            a.Check("sort", 3, "reverse", "case_sensitive", "attribute");
            return Sort(PyOps.Iterate(v), a.GetBool(0, "reverse", false), a.GetBool(1, "case_sensitive", false), a.Get(2, "attribute"));
        };
        filters["unique"] = (state, v, a) =>
        {
            a.Check("unique", 2, "case_sensitive", "attribute");
            var key = Key(a.GetBool(0, "case_sensitive", false), a.Get(1, "attribute"));
            // Scalars by a key that is equal exactly when Python's == is (1, 1.0 and True alike); tuples, rarer, by ==.
            var seenScalars = new HashSet<string>(StringComparer.Ordinal);
            var seenOthers = new List<object?>();
            var result = new List<object?>();
            foreach (var item in PyOps.Iterate(v))
            {
                var k = key(item);
                if (!PyOps.IsHashable(k))
                {
                    throw PyOps.Unhashable(k);
                }

                var scalar = ScalarKey(k);
                if (scalar is not null ? seenScalars.Add(scalar) : !seenOthers.Any(s => PyOps.Equals(s, k)))
                {
                    if (scalar is null)
                    {
                        state.Step(seenOthers.Count + 1);
                        seenOthers.Add(k);
                    }

                    result.Add(item);
                }
            }

            return result;
        };
        filters["min"] = (_, v, a) => Extreme(v, a, "min", wantLargest: false);
        filters["max"] = (_, v, a) => Extreme(v, a, "max", wantLargest: true);
        filters["sum"] = (_, v, a) =>
        {
            a.Check("sum", 2, "attribute", "start");
            var items = PyOps.Iterate(v);
            if (a.Get(0, "attribute") is { } attribute)
            {
                items = items.Select(AttributeGetter.Create(attribute, null)).ToList();
            }

            object? total = a.Get(1, "start", 0L);
            foreach (var item in items)
            {
                total = PyOps.IsNumber(total) && PyOps.IsNumber(item)
                    ? PyNumber.Add(total!, item!)
                    : throw PyException.TypeError($"unsupported operand type(s) for +: '{PyOps.TypeName(total)}' and '{PyOps.TypeName(item)}'");
            }

            return total;
        };
        filters["map"] = Map;
        filters["select"] = (state, v, a) => Select(state, v, a, attribute: false, keep: true);
        filters["reject"] = (state, v, a) => Select(state, v, a, attribute: false, keep: false);
        filters["selectattr"] = (state, v, a) => Select(state, v, a, attribute: true, keep: true);
        filters["rejectattr"] = (state, v, a) => Select(state, v, a, attribute: true, keep: false);
        filters["batch"] = (state, v, a) =>
        {
            a.Check("batch", 2, "linecount", "fill_with");
            var size = a.GetInt(0, "linecount", 1);
            if (size <= 0)
            {
                throw PyException.ValueError("batch size must be positive");
            }

            if (a.Has(1, "fill_with"))
            {
                state.CheckLength(size, "batch");
            }

            var items = PyOps.Iterate(v).ToList();
            var result = new List<object?>();
            for (var i = 0; i < items.Count; i += size)
            {
                var chunk = items.GetRange(i, Math.Min(size, items.Count - i));
                if (chunk.Count < size && a.Has(1, "fill_with"))
                {
                    chunk.AddRange(Enumerable.Repeat(a.Get(1, "fill_with"), size - chunk.Count));
                }

                result.Add(chunk);
            }

            return result;
        };
        filters["slice"] = (state, v, a) =>
        {
            a.Check("slice", 2, "slices", "fill_with");
            var slices = a.GetInt(0, "slices", 1);
            if (slices <= 0)
            {
                throw PyException.ZeroDivision("integer division or modulo by zero");
            }

            state.CheckLength(slices, "slice");
            var items = PyOps.Iterate(v).ToList();
            var perSlice = items.Count / slices;
            var withExtra = items.Count % slices;
            var offset = 0;
            var result = new List<object?>();
            for (var i = 0; i < slices; i++)
            {
                var start = offset + (i * perSlice);
                if (i < withExtra)
                {
                    offset++;
                }

                var end = offset + ((i + 1) * perSlice);
                var chunk = items.GetRange(start, end - start);
                if (a.Has(1, "fill_with") && i >= withExtra)
                {
                    chunk.Add(a.Get(1, "fill_with"));
                }

                result.Add(chunk);
            }

            return result;
        };
        filters["items"] = (_, v, a) =>
        {
            a.Check("items", 0);
            return v switch
            {
                Undefined => new List<object?>(),
                Dictionary<string, object?> dict => dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList(),
                _ => throw PyException.TypeError("Can only get item pairs from a mapping."),
            };
        };
        filters["dictsort"] = (_, v, a) =>
        {
            a.Check("dictsort", 3, "case_sensitive", "by", "reverse");
            if (v is not Dictionary<string, object?> dict)
            {
                throw PyException.TypeError($"'{PyOps.TypeName(v)}' object has no attribute 'items'");
            }

            var by = PyText.Str(a.Get(1, "by", "key"));
            var position = by switch
            {
                "key" => 0,
                "value" => 1,
                _ => throw new PyException("FilterArgumentError", "You can only sort by either \"key\" or \"value\""),
            };
            var caseSensitive = a.GetBool(0, "case_sensitive", false);
            var pairs = dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList();
            return SortBy(pairs, item => Fold(((PyTuple)item!)[position], caseSensitive), a.GetBool(2, "reverse", false));
        };
        filters["groupby"] = (_, v, a) =>
        {
            a.Check("groupby", 3, "attribute", "default", "case_sensitive");
            var getter = AttributeGetter.Create(a.Get(0, "attribute"), a.Get(1, "default"));
            var caseSensitive = a.GetBool(2, "case_sensitive", false);
            var sorted = SortBy(PyOps.Iterate(v).ToList(), item => Fold(getter(item), caseSensitive), reverse: false);
            var groups = new List<object?>();
            foreach (var item in sorted)
            {
                var key = Fold(getter(item), caseSensitive);
                if (groups.Count > 0 && groups[^1] is GroupTuple last && PyOps.Equals(Fold(last.Grouper, caseSensitive), key))
                {
                    last.List.Add(item);
                }
                else
                {
                    groups.Add(new GroupTuple(getter(item), [item]));
                }
            }

            return groups;
        };
    }

    /// <summary>A key equal for values Python's == finds equal, for None, bools, numbers and strings; null otherwise.</summary>
    private static string? ScalarKey(object? value) => value switch
    {
        null => "none",
        string s => "s" + s,
        double d when double.IsFinite(d) && Math.Floor(d) == d => "n" + new System.Numerics.BigInteger(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => "f" + PyText.FloatRepr(d),
        bool or long or System.Numerics.BigInteger => "n" + PyNumber.ToBig(value).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private static object? Fold(object? value, bool caseSensitive) =>
        !caseSensitive && value is string s ? PyStrings.Lower(s) : value;

    /// <summary>The sort key: the item or its attribute, lower-cased unless case matters; several comma-separated
    /// attributes make a tuple.</summary>
    private static Func<object?, object?> Key(bool caseSensitive, object? attribute)
    {
        if (attribute is string names && names.Contains(',', StringComparison.Ordinal))
        {
            var getters = names.Split(',').Select(name => AttributeGetter.Create(name, null)).ToArray();
            return item => new PyTuple([.. getters.Select(getter => Fold(getter(item), caseSensitive))]);
        }

        var single = attribute is null ? (Func<object?, object?>)(x => x) : AttributeGetter.Create(attribute, null);
        return item => Fold(single(item), caseSensitive);
    }

    private static List<object?> Sort(IReadOnlyList<object?> items, bool reverse, bool caseSensitive, object? attribute) =>
        SortBy(items.ToList(), Key(caseSensitive, attribute), reverse);

    /// <summary>Python's stable sort; <paramref name="reverse"/> keeps equal items in their order, as Python's does.</summary>
    private static List<object?> SortBy(List<object?> items, Func<object?, object?> key, bool reverse)
    {
        var keyed = items.Select((item, index) => (Key: key(item), Item: item, Index: index)).ToList();
        try
        {
            keyed.Sort((x, y) =>
            {
                var order = PyOps.Compare(x.Key, y.Key, "<");
                order = order == 2 ? 0 : order;
                return order != 0 ? (reverse ? -order : order) : x.Index.CompareTo(y.Index);
            });
        }
        catch (InvalidOperationException ex) when (ex.InnerException is PyException python)
        {
            throw python;
        }

        return keyed.Select(k => k.Item).ToList();
    }

    private static object? Extreme(object? value, Arguments arguments, string name, bool wantLargest)
    {
        arguments.Check(name, 2, "case_sensitive", "attribute");
        var key = Key(arguments.GetBool(0, "case_sensitive", false), arguments.Get(1, "attribute"));
        var items = PyOps.Iterate(value);
        if (items.Count == 0)
        {
            return new Undefined("No aggregated item, sequence was empty.");
        }

        var best = items[0];
        var bestKey = key(best);
        foreach (var item in items.Skip(1))
        {
            var k = key(item);
            var order = PyOps.Compare(k, bestKey, wantLargest ? ">" : "<");
            if (order != 2 && (wantLargest ? order > 0 : order < 0))
            {
                (best, bestKey) = (item, k);
            }
        }

        return best;
    }

    private static List<object?> Map(RenderState state, object? value, Arguments arguments)
    {
        var items = PyOps.Iterate(value);
        if (arguments.Positional.Length == 0 && arguments.Named?.ContainsKey("attribute") == true)
        {
            arguments.Check("map", 0, "attribute", "default");
            var getter = AttributeGetter.Create(arguments.Named["attribute"], arguments.Get(1, "default"));
            return items.Select(getter).ToList();
        }

        if (arguments.Positional.Length == 0 || arguments.Positional[0] is not string filterName)
        {
            throw new PyException("FilterArgumentError", "map requires a filter argument");
        }

        if (!JinjaFilters.TryGet(filterName, out var filter))
        {
            throw new PyException("TemplateRuntimeError", $"No filter named '{filterName}' found.");
        }

        var rest = new Arguments(arguments.Positional[1..], arguments.Named);
        var result = new List<object?>(items.Count);
        foreach (var item in items)
        {
            state.Step();
            result.Add(filter(state, item, rest));
        }

        return result;
    }

    private static List<object?> Select(RenderState state, object? value, Arguments arguments, bool attribute, bool keep)
    {
        var items = PyOps.Iterate(value);
        var position = 0;
        Func<object?, object?> getter = x => x;
        if (attribute)
        {
            if (arguments.Positional.Length == 0)
            {
                throw new PyException("FilterArgumentError", "Missing parameter for attribute name");
            }

            getter = AttributeGetter.Create(arguments.Positional[0], null);
            position = 1;
        }

        TestFunction? test = null;
        var rest = Arguments.None;
        if (arguments.Positional.Length > position)
        {
            var testName = PyText.Str(arguments.Positional[position]);
            if (!JinjaTests.TryGet(testName, out test))
            {
                throw new PyException("TemplateRuntimeError", $"No test named '{testName}' found.");
            }

            rest = new Arguments(arguments.Positional[(position + 1)..], arguments.Named);
        }

        var result = new List<object?>();
        foreach (var item in items)
        {
            state.Step();
            var subject = getter(item);
            var passed = test is null ? PyOps.IsTrue(subject) : test(state, subject, rest);
            if (passed == keep)
            {
                result.Add(item);
            }
        }

        return result;
    }
}
