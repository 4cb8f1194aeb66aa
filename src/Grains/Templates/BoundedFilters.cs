using System.Collections;
using Fluid;
using Fluid.Values;
using Webhooks.Endpoints;

namespace Webhooks.Templates;

/// <summary>Wraps every filter so that what it produces is checked against the render's <see cref="RenderBudget"/>,
/// and checks beforehand the few whose output can be many times their input (join, json, split, replace, append,
/// prepend), so that the oversized value is refused before it is built.</summary>
internal static class BoundedFilters
{
    // Rough cost of one element of an array that split builds: the StringValue, its string and the list slot.
    private const int BytesPerSplitElement = 64;

    public static void Install(TemplateOptions options)
    {
        foreach (var (name, filter) in options.Filters.ToList())
        {
            options.Filters.AddFilter(name, Bounded(name, filter));
        }

        options.Filters.AddFilter("header_safe", static (input, _, _) =>
            new ValueTask<FluidValue>(new StringValue(HeaderNames.StripControlCharacters(input.ToStringValue()))));
        options.Assigned = static (_, value, context) =>
        {
            RenderBudget.Of(context)?.CheckAllocation();
            return new ValueTask<FluidValue>(value);
        };
    }

    private static FilterDelegate Bounded(string name, FilterDelegate filter) => async (input, arguments, context) =>
    {
        var budget = RenderBudget.Of(context) ?? throw new InvalidOperationException("rendered without a budget");
        var what = $"the filter '{name}'";
        if (ExpectedLength(name, input, arguments, budget.MaxChars) is { } expected)
        {
            budget.CheckLength(expected, what);
        }
        else if (name == "split")
        {
            budget.CheckBytes((long)Length(input) * BytesPerSplitElement, what);
        }

        var result = await filter(input, arguments, context);
        switch (result)
        {
            case StringValue text:
                budget.CheckLength(text.ToStringValue().Length, what);
                break;
            case ArrayValue array:
                budget.CheckLength(array.Values.Count, $"the array from {what}");
                break;
        }

        budget.CheckAllocation();
        return result;
    };

    /// <summary>The length the filter's result will have (at least), for the filters that can multiply their input;
    /// null for the others. Stops counting past <paramref name="limit"/>.</summary>
    private static long? ExpectedLength(string name, FluidValue input, FilterArguments arguments, int limit) => name switch
    {
        "append" or "prepend" => Length(input) + Length(arguments.At(0)),
        "replace" or "replace_first" or "replace_last" => ReplacedLength(name, input.ToStringValue(), arguments.At(0).ToStringValue(), arguments.At(1).ToStringValue()),
        "join" when input is ArrayValue array => JoinedLength(array, arguments.At(0), limit),
        "json" or "tojson" => JsonLength(input, limit),
        _ => null,
    };

    private static int Length(FluidValue value) => value is NilValue ? 0 : value.ToStringValue().Length;

    private static long ReplacedLength(string name, string text, string pattern, string replacement)
    {
        if (pattern.Length == 0)
        {
            // Liquid inserts an empty pattern's replacement between every character.
            return name == "replace" ? text.Length + (long)(text.Length + 1) * replacement.Length : text.Length + replacement.Length;
        }

        var occurrences = name == "replace" ? text.AsSpan().Count(pattern) : Math.Min(1, text.AsSpan().Count(pattern));
        return text.Length + (long)occurrences * (replacement.Length - pattern.Length);
    }

    private static long JoinedLength(ArrayValue array, FluidValue separator, int limit)
    {
        var gap = separator is NilValue ? 1 : separator.ToStringValue().Length;
        long total = 0;
        foreach (var item in array.Values)
        {
            total += Length(item) + gap;
            if (total > limit)
            {
                break;
            }
        }

        return total;
    }

    private static long JsonLength(object? value, int limit)
    {
        long total = 0;
        Add(value, 0);
        return total;

        void Add(object? item, int depth)
        {
            if (total > limit || depth > 64)
            {
                total = Math.Max(total, limit + 1L);
                return;
            }

            switch (item)
            {
                case null or NilValue:
                    total += 4;
                    break;
                case string text:
                    total += JsonStringLength(text);
                    break;
                case StringValue text:
                    total += JsonStringLength(text.ToStringValue());
                    break;
                case ArrayValue array:
                    total += 2;
                    foreach (var element in array.Values)
                    {
                        Add(element, depth + 1);
                        total++;
                    }

                    break;
                case ObjectValueBase wrapped:
                    Add(wrapped.Value, depth + 1);
                    break;
                case IDictionary dictionary:
                    total += 2;
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        total += JsonStringLength(entry.Key.ToString() ?? "") + 2;
                        Add(entry.Value, depth + 1);
                    }

                    break;
                case IEnumerable sequence:
                    total += 2;
                    foreach (var element in sequence)
                    {
                        Add(element, depth + 1);
                        total++;
                    }

                    break;
                default:
                    total += 32;
                    break;
            }
        }
    }

    // Plain ASCII is written as is; anything else may be escaped as \uXXXX.
    private static long JsonStringLength(string text)
    {
        long length = 2;
        foreach (var c in text)
        {
            length += c is >= ' ' and < '\u007f' and not '"' and not '\\' ? 1 : 6;
        }

        return length;
    }
}
