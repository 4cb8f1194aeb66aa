using System.Globalization;
using System.Numerics;
using System.Text;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's string operations that templates reach through methods and filters: strip, split, replace,
/// join, title, capitalize, and the <c>int()</c>/<c>float()</c> conversions of text. Every operation that can
/// make a string much longer than its input checks the render's budget before building it.</summary>
internal static class PyStrings
{
    public static string Strip(string s, object? chars, bool start, bool end)
    {
        if (chars is null)
        {
            return start && end ? s.Trim(PythonWhitespace) : start ? s.TrimStart(PythonWhitespace) : s.TrimEnd(PythonWhitespace);
        }

        var set = chars as string ?? throw PyException.TypeError($"strip arg must be None or str, not {PyOps.TypeName(chars)}");
        var array = set.ToCharArray();
        return start && end ? s.Trim(array) : start ? s.TrimStart(array) : s.TrimEnd(array);
    }

    /// <summary>What Python's <c>str.split()</c> and <c>str.strip()</c> treat as whitespace.</summary>
    public static readonly char[] PythonWhitespace =
        [' ', '\t', '\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u2001',
         '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a', '\u2028', '\u2029',
         '\u202f', '\u205f', '\u3000'];

    public static List<object?> Split(string s, object? separator, int maxSplit)
    {
        var result = new List<object?>();
        if (separator is null)
        {
            var position = 0;
            while (true)
            {
                while (position < s.Length && Array.IndexOf(PythonWhitespace, s[position]) >= 0)
                {
                    position++;
                }

                if (position >= s.Length)
                {
                    return result;
                }

                if (maxSplit >= 0 && result.Count == maxSplit)
                {
                    result.Add(s[position..]);
                    return result;
                }

                var end = position;
                while (end < s.Length && Array.IndexOf(PythonWhitespace, s[end]) < 0)
                {
                    end++;
                }

                result.Add(s[position..end]);
                position = end;
            }
        }

        var sep = separator as string ?? throw PyException.TypeError($"must be str or None, not {PyOps.TypeName(separator)}");
        if (sep.Length == 0)
        {
            throw PyException.ValueError("empty separator");
        }

        var parts = maxSplit < 0 ? s.Split(sep) : s.Split(sep, maxSplit + 1);
        result.AddRange(parts);
        return result;
    }

    /// <summary>Python's <c>str.rsplit</c>: as split, but the splits are counted from the right.</summary>
    public static List<object?> RightSplit(string s, object? separator, int maxSplit)
    {
        if (maxSplit < 0)
        {
            return Split(s, separator, maxSplit);
        }

        var reversed = Split(new string(s.Reverse().ToArray()), separator is string sep ? new string(sep.Reverse().ToArray()) : separator, maxSplit);
        reversed.Reverse();
        return reversed.Select(part => (object?)new string(((string)part!).Reverse().ToArray())).ToList();
    }

    /// <summary>Python's <c>str.splitlines</c>: at \n, \r, \r\n and the other line boundaries Python knows.</summary>
    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var result = new List<object?>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029'))
            {
                continue;
            }

            var end = i;
            if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n')
            {
                i++;
            }

            result.Add(s[start..(keepEnds ? i + 1 : end)]);
            start = i + 1;
        }

        if (start < s.Length)
        {
            result.Add(s[start..]);
        }

        return result;
    }

    public static string Replace(RenderState state, string s, object? old, object? replacement, int count)
    {
        var from = old as string ?? throw PyException.TypeError($"replace() argument 1 must be str, not {PyOps.TypeName(old)}");
        var to = replacement as string ?? throw PyException.TypeError($"replace() argument 2 must be str, not {PyOps.TypeName(replacement)}");
        var occurrences = from.Length == 0 ? s.Length + 1 : Count(s, from);
        if (count >= 0)
        {
            occurrences = Math.Min(occurrences, count);
        }

        state.CheckLength(s.Length + ((long)to.Length - from.Length) * occurrences, "replace");
        if (occurrences == 0)
        {
            return s;
        }

        var builder = new StringBuilder();
        if (from.Length == 0)
        {
            for (var i = 0; i < s.Length; i++)
            {
                if (i < occurrences)
                {
                    builder.Append(to);
                }

                builder.Append(s[i]);
            }

            if (occurrences > s.Length)
            {
                builder.Append(to);
            }

            return builder.ToString();
        }

        var position = 0;
        for (var done = 0; done < occurrences; done++)
        {
            var found = s.IndexOf(from, position, StringComparison.Ordinal);
            builder.Append(s, position, found - position).Append(to);
            position = found + from.Length;
        }

        return builder.Append(s, position, s.Length - position).ToString();
    }

    public static int Count(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return PyText.CodePointCount(s) + 1;
        }

        var count = 0;
        for (var position = s.IndexOf(sub, StringComparison.Ordinal); position >= 0; position = s.IndexOf(sub, position + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public static string Join(RenderState state, string separator, IReadOnlyList<object?> items, bool requireStrings)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < items.Count; i++)
        {
            if (requireStrings && items[i] is not string)
            {
                throw PyException.TypeError($"sequence item {i}: expected str instance, {PyOps.TypeName(items[i])} found");
            }

            var text = PyText.Str(items[i]);
            state.CheckLength(builder.Length + separator.Length + text.Length, "join");
            builder.Append(i == 0 ? "" : separator).Append(text);
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>str.title()</c>: a cased character after an uncased one is upper case, the rest lower.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            var cased = char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            builder.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>str.upper()</c>: Unicode's full case mapping, where one character can become two
    /// ('ß' → "SS"); .NET maps one character to one.</summary>
    public static string Upper(string s)
    {
        var upper = s.ToUpperInvariant();
        return upper.AsSpan().IndexOfAny(FullUpperMapped) < 0 ? upper : string.Concat(upper.Select(c => c switch
        {
            'ß' => "SS",
            'ﬀ' => "FF",
            'ﬁ' => "FI",
            'ﬂ' => "FL",
            'ﬃ' => "FFI",
            'ﬄ' => "FFL",
            'ﬅ' or 'ﬆ' => "ST",
            'ŉ' => "ʼN",
            _ => c.ToString(),
        }));
    }

    private static readonly System.Buffers.SearchValues<char> FullUpperMapped = System.Buffers.SearchValues.Create("ßﬀﬁﬂﬃﬄﬅﬆŉ");

    /// <summary>Python's <c>str.lower()</c>: as .NET's, except 'İ', which becomes "i̇" (two characters).</summary>
    public static string Lower(string s)
    {
        return s.Contains('İ', StringComparison.Ordinal) ? s.Replace("İ", "i\u0307", StringComparison.Ordinal).ToLowerInvariant() : s.ToLowerInvariant();
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : Upper(s[..1]) + Lower(s[1..]);

    public static bool IsLower(string s) => s.Any(char.IsLower) && !s.Any(char.IsUpper);

    public static bool IsUpper(string s) => s.Any(char.IsUpper) && !s.Any(char.IsLower);

    public static string ZeroFill(RenderState state, string s, int width)
    {
        if (width <= s.Length)
        {
            return s;
        }

        state.CheckLength(width, "zfill");
        var sign = s.Length > 0 && s[0] is '+' or '-' ? 1 : 0;
        return s[..sign] + new string('0', width - s.Length) + s[sign..];
    }

    public static string Format(RenderState state, string template, Arguments arguments) => PyFormat.Braces(state, template, arguments);

    /// <summary>Python's <c>int(text, base)</c>: surrounding whitespace, a sign, underscores between digits, and the
    /// 0x/0o/0b prefix of its base.</summary>
    public static bool TryParseInt(string text, int radix, out object value)
    {
        value = 0L;
        var s = text.Trim(PythonWhitespace);
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length > 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is var p
            && ((p == 'x' && radix == 16) || (p == 'o' && radix == 8) || (p == 'b' && radix == 2)))
        {
            s = s[2..].TrimStart('_');
        }

        if (s.Length == 0 || s[0] == '_' || s[^1] == '_' || s.Contains("__", StringComparison.Ordinal))
        {
            return false;
        }

        if (s.Length > PyNumber.MaxIntDigits && radix == 10)
        {
            throw PyException.ValueError($"Exceeds the limit ({PyNumber.MaxIntDigits} digits) for integer string conversion");
        }

        // Each digit adds log2(radix) bits: refuse before the digit loop, which is quadratic in the length.
        if (s.Length * Math.Log2(radix) > PyNumber.MaxIntBits + 8)
        {
            throw new TemplateLimitException($"an int would have more than {PyNumber.MaxIntBits} bits");
        }

        var result = BigInteger.Zero;
        foreach (var c in s)
        {
            if (c == '_')
            {
                continue;
            }

            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= radix)
            {
                return false;
            }

            result = result * radix + digit;
        }

        value = PyNumber.Int(negative ? -result : result);
        return true;
    }

    /// <summary>Python's <c>float(text)</c>: decimal or exponent notation, underscores between digits, inf and nan.</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        var s = text.Trim(PythonWhitespace).ToLowerInvariant();
        var unsigned = s.TrimStart('+', '-');
        if (unsigned is "inf" or "infinity" or "nan")
        {
            value = unsigned == "nan" ? double.NaN : s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return s.Length - unsigned.Length <= 1;
        }

        if (s.Contains("__", StringComparison.Ordinal) || s.StartsWith('_') || s.EndsWith('_') || s.Contains("_.", StringComparison.Ordinal) || s.Contains("._", StringComparison.Ordinal))
        {
            value = 0;
            return false;
        }

        return double.TryParse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}
