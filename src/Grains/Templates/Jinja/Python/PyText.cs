using System.Globalization;
using System.Numerics;
using System.Text;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's <c>str()</c> and <c>repr()</c> of template values: what <c>{{ value }}</c> prints
/// (<c>None</c>, <c>True</c>, <c>1.0</c>, <c>['a', 1]</c>, <c>{'k': None}</c>).</summary>
internal static class PyText
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        Undefined => string.Empty,
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value, 0);
        return builder.ToString();
    }

    // Four times the default output limit: printing a value stops here rather than building a string that the render's
    // own limits could only refuse afterwards.
    private const int MaxReprLength = 8 * 1024 * 1024;

    private static void AppendRepr(StringBuilder builder, object? value, int depth)
    {
        if (depth > 100)
        {
            throw new TemplateLimitException("a value nests more than 100 levels deep");
        }

        if (builder.Length > MaxReprLength)
        {
            throw new TemplateLimitException($"printing a value would take more than {MaxReprLength} characters");
        }

        switch (value)
        {
            case string s:
                AppendStringRepr(builder, s);
                break;
            case List<object?> list:
                builder.Append('[');
                AppendItems(builder, list, depth);
                builder.Append(']');
                break;
            case PyTuple tuple:
                builder.Append('(');
                AppendItems(builder, tuple, depth);
                builder.Append(tuple.Count == 1 ? ",)" : ")");
                break;
            case Dictionary<string, object?> dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    builder.Append(first ? "" : ", ");
                    first = false;
                    AppendStringRepr(builder, key);
                    builder.Append(": ");
                    AppendRepr(builder, item, depth + 1);
                }

                builder.Append('}');
                break;
            case Undefined:
                builder.Append("Undefined");
                break;
            case Namespace ns:
                builder.Append("<Namespace ");
                AppendRepr(builder, ns.Attributes, depth + 1);
                builder.Append('>');
                break;
            case LoopContext loop:
                builder.Append("<LoopContext ").Append(loop.Index).Append('/').Append(loop.Length).Append('>');
                break;
            case PyCallable callable:
                builder.Append("<built-in method ").Append(callable.Name).Append('>');
                break;
            default:
                builder.Append(Str(value));
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, IReadOnlyList<object?> items, int depth)
    {
        for (var i = 0; i < items.Count; i++)
        {
            builder.Append(i == 0 ? "" : ", ");
            AppendRepr(builder, items[i], depth + 1);
        }
    }

    /// <summary>Python's string repr: single quotes unless the text has one and no double quote; escapes for the
    /// backslash, the quote, \t \n \r and characters Python does not consider printable.</summary>
    private static void AppendStringRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '\\':
                    builder.Append("\\\\");
                    continue;
                case '\t':
                    builder.Append("\\t");
                    continue;
                case '\n':
                    builder.Append("\\n");
                    continue;
                case '\r':
                    builder.Append("\\r");
                    continue;
            }

            if (c == quote)
            {
                builder.Append('\\').Append(c);
                continue;
            }

            var codePoint = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])
                ? char.ConvertToUtf32(c, s[i + 1])
                : c;
            if (IsPrintable(codePoint))
            {
                builder.Append(c);
                if (codePoint > 0xFFFF)
                {
                    builder.Append(s[++i]);
                }
            }
            else if (codePoint < 0x100)
            {
                builder.Append("\\x").Append(codePoint.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (codePoint < 0x10000)
            {
                builder.Append("\\u").Append(codePoint.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append("\\U").Append(codePoint.ToString("x8", CultureInfo.InvariantCulture));
                i++;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Python's <c>str.isprintable</c> for one code point: not a control, format, surrogate, private-use,
    /// unassigned or separator character other than the space.</summary>
    private static bool IsPrintable(int codePoint)
    {
        if (codePoint == ' ')
        {
            return true;
        }

        if (codePoint < 0x7F)
        {
            return codePoint >= 0x20;
        }

        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest digits that read back as the same double, in fixed notation
    /// from 1e-4 up to 1e16 (always with a fractional part) and in exponent notation outside it.</summary>
    public static string FloatRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        var (negative, digits, exponent) = ShortestDigits(value);
        var builder = new StringBuilder(digits.Length + 8);
        if (negative)
        {
            builder.Append('-');
        }

        // exponent: the power of ten of the first digit (value = d.ddd × 10^exponent).
        if (exponent < -4 || exponent >= 16)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (exponent < 0)
        {
            builder.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (digits.Length <= exponent + 1)
        {
            builder.Append(digits).Append('0', exponent + 1 - digits.Length).Append(".0");
        }
        else
        {
            builder.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }

        return builder.ToString();
    }

    /// <summary>The shortest round-trip digits of a finite, non-zero double (no leading or trailing zeros) and the
    /// power of ten of the first one.</summary>
    private static (bool Negative, string Digits, int Exponent) ShortestDigits(double value)
    {
        // .NET's "R" gives the shortest round-trip digits, in "E" notation: d.dddE+xx.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var mantissa = shortest;
        var exponent = 0;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = shortest[..e];
            exponent = int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = point < 0 ? mantissa : mantissa[..point];
        var fraction = point < 0 ? string.Empty : mantissa[(point + 1)..];
        var digits = (integerPart + fraction).TrimStart('0');
        var leadingZeros = (integerPart + fraction).Length - digits.Length;
        exponent += integerPart.Length - 1 - leadingZeros;
        return (value < 0, digits.TrimEnd('0'), exponent);
    }

    public static int CodePointCount(string s)
    {
        var count = s.Length;
        for (var i = 0; i < s.Length - 1; i++)
        {
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    /// <summary>A string's characters as Python sees them (a surrogate pair is one character).</summary>
    public static List<object?> Characters(string s)
    {
        var result = new List<object?>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(s.Substring(i++, 2));
            }
            else
            {
                result.Add(s[i].ToString());
            }
        }

        return result;
    }
}
