using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Webhooks.Templates.Jinja.Python;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Filters;

/// <summary>Filters on text: case, trimming, replacing, escaping, truncating, indenting, formatting, URL encoding.
/// Like Jinja2's, they first turn any value into its string (<c>None</c>, <c>True</c>, <c>[1, 2]</c>).</summary>
internal static partial class StringFilters
{
    public static void Register(Dictionary<string, FilterFunction> filters)
    {
        filters["upper"] = (_, v, a) => PyStrings.Upper(Text(v, a, "upper", 0));
        filters["lower"] = (_, v, a) => PyStrings.Lower(Text(v, a, "lower", 0));
        filters["capitalize"] = (_, v, a) => PyStrings.Capitalize(Text(v, a, "capitalize", 0));
        filters["title"] = (_, v, a) => Title(Text(v, a, "title", 0));
        filters["trim"] = (_, v, a) => PyStrings.Strip(Text(v, a, "trim", 1, "chars"), a.Get(0, "chars"), true, true);
        filters["string"] = (_, v, a) => Text(v, a, "string", 0);
        filters["safe"] = (_, v, a) => Text(v, a, "safe", 0);
        filters["replace"] = (state, v, a) =>
        {
            var s = Text(v, a, "replace", 3, "old", "new", "count");
            var count = a.Get(2, "count");
            return PyStrings.Replace(state, s, PyText.Str(a.Get(0, "old")), PyText.Str(a.Get(1, "new")), count is null ? -1 : a.GetInt(2, "count", -1));
        };
        filters["escape"] = filters["e"] = filters["forceescape"] = (state, v, a) => Escape(state, Text(v, a, "escape", 0));
        filters["striptags"] = (_, v, a) => StripTags(Text(v, a, "striptags", 0));
        filters["header_safe"] = (_, v, a) => HeaderSafe(Text(v, a, "header_safe", 0));
        filters["center"] = (state, v, a) => Center(state, Text(v, a, "center", 1, "width"), a.GetInt(0, "width", 80));
        filters["indent"] = (state, v, a) => Indent(state, Text(v, a, "indent", 3, "width", "first", "blank"), a.Get(0, "width", 4L), a.GetBool(1, "first", false), a.GetBool(2, "blank", false));
        filters["truncate"] = (_, v, a) => Truncate(Text(v, a, "truncate", 4, "length", "killwords", "end", "leeway"), a);
        filters["wordcount"] = (_, v, a) => (long)Words().Count(Text(v, a, "wordcount", 0));
        filters["format"] = (state, v, a) => Format(state, v, a);
        filters["urlencode"] = (_, v, a) => UrlEncode(v, a);
    }

    /// <summary>The value as Jinja2's <c>soft_str</c> makes it, after checking the filter's arguments.</summary>
    private static string Text(object? value, Arguments arguments, string name, int max, params string[] names)
    {
        arguments.Check(name, max, names);
        return PyText.Str(value);
    }

    /// <summary>NetBox's <c>header_safe</c>: every character from \x00 to \x1f (tab included) and \x7f removed.</summary>
    private static string HeaderSafe(string s) =>
        s.AsSpan().IndexOfAnyInRange('\x00', '\x1f') < 0 && !s.Contains('\x7f', StringComparison.Ordinal)
            ? s
            : string.Concat(s.Where(c => c >= ' ' && c != '\x7f'));

    /// <summary>Jinja2's <c>title</c>: words start after a space, '-', '(', '{', '[' or '&lt;'.</summary>
    private static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        foreach (var part in WordBeginnings().Split(s))
        {
            if (part.Length == 0)
            {
                continue;
            }

            builder.Append(PyStrings.Upper(part[..1])).Append(PyStrings.Lower(part[1..]));
        }

        return builder.ToString();
    }

    // Event data can be long and built to make a pattern slow: a match that takes longer fails the render.
    private const int MatchTimeoutMilliseconds = 500;

    [GeneratedRegex(@"([-\s({\[<]+)", RegexOptions.None, MatchTimeoutMilliseconds)]
    private static partial Regex WordBeginnings();

    [GeneratedRegex(@"\w+", RegexOptions.None, MatchTimeoutMilliseconds)]
    private static partial Regex Words();

    [GeneratedRegex(@"(<!--.*?-->|<[^>]*>)", RegexOptions.Singleline, MatchTimeoutMilliseconds)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+", RegexOptions.None, MatchTimeoutMilliseconds)]
    private static partial Regex Spaces();

    private static string Escape(RenderState state, string s)
    {
        var builder = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&#34;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        state.CheckLength(builder.Length, "escape");
        return builder.ToString();
    }

    private static string StripTags(string s)
    {
        var text = Tags().Replace(s, "");
        text = Spaces().Replace(text, " ").Trim();
        return System.Net.WebUtility.HtmlDecode(text);
    }

    private static string Center(RenderState state, string s, int width)
    {
        var length = PyText.CodePointCount(s);
        if (width <= length)
        {
            return s;
        }

        state.CheckLength(width, "center");
        // Python's str.center puts the odd space on the left when the text's length is odd.
        var padding = width - length;
        var left = (padding / 2) + (padding & width & 1);
        return new string(' ', left) + s + new string(' ', padding - left);
    }

    private static string Indent(RenderState state, string s, object? width, bool first, bool blank)
    {
        var indentation = width as string ?? new string(' ', Math.Clamp((int)PyNumber.ToDouble(width is bool or long or double ? width : 4L), 0, 1000));
        var lines = (s + "\n").Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').ToList();
        lines.RemoveAt(lines.Count - 1);
        state.CheckLength(s.Length + ((long)lines.Count * indentation.Length), "indent");
        string result;
        if (blank)
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines.Count == 0 ? "" : lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
            }
        }

        return first ? indentation + result : result;
    }

    private static string Truncate(string s, Arguments arguments)
    {
        var length = arguments.GetInt(0, "length", 255);
        var killWords = arguments.GetBool(1, "killwords", false);
        var end = PyText.Str(arguments.Get(2, "end", "..."));
        var leeway = arguments.GetInt(3, "leeway", 5);
        if (length < end.Length)
        {
            throw new PyException("AssertionError", $"expected length >= {end.Length}, got {length}");
        }

        if (leeway < 0)
        {
            throw new PyException("AssertionError", $"expected leeway >= 0, got {leeway}");
        }

        var characters = PyText.Characters(s);
        if (characters.Count <= length + leeway)
        {
            return s;
        }

        var kept = string.Concat(characters.Take(length - end.Length).Cast<string>());
        if (killWords)
        {
            return kept + end;
        }

        var space = kept.LastIndexOf(' ');
        return (space < 0 ? kept : kept[..space]) + end;
    }

    private static string Format(RenderState state, object? value, Arguments arguments)
    {
        if (arguments.Positional.Length > 0 && arguments.Named is { Count: > 0 })
        {
            throw new PyException("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
        }

        object? values = arguments.Named is { Count: > 0 } named ? named : new PyTuple(arguments.Positional);
        return PyFormat.Percent(state, PyText.Str(value), values);
    }

    private static string UrlEncode(object? value, Arguments arguments)
    {
        arguments.Check("urlencode", 0);
        return value switch
        {
            string s => Quote(s, forQuery: false),
            Dictionary<string, object?> dict => string.Join("&", dict.Select(p => $"{Quote(PyText.Str(p.Key), true)}={Quote(PyText.Str(p.Value), true)}")),
            List<object?> or PyTuple => string.Join("&", ((IReadOnlyList<object?>)value).Select(item =>
                item is PyTuple { Count: 2 } pair ? $"{Quote(PyText.Str(pair[0]), true)}={Quote(PyText.Str(pair[1]), true)}" : throw PyException.ValueError("too many values to unpack"))),
            _ => Quote(PyText.Str(value), forQuery: false),
        };
    }

    /// <summary>Python's <c>urllib.parse.quote</c> of the UTF-8 bytes: letters, digits and <c>_.-~</c> kept, '/' kept
    /// outside query strings, spaces as '+' inside them.</summary>
    private static string Quote(string s, bool forQuery)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~' || (c == '/' && !forQuery))
            {
                builder.Append(c);
            }
            else if (c == ' ' && forQuery)
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
