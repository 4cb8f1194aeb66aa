using System.Globalization;
using System.Numerics;
using System.Text;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's two string formatting languages: <c>"%s-%05.2f" % args</c> (Jinja2's <c>format</c> filter) and
/// <c>"{}-{name:&gt;8}".format(...)</c>, with the common conversions (s r d i f F e E g G x X o b c %).</summary>
internal static class PyFormat
{
    private readonly record struct Spec(char Fill, char Align, char Sign, bool Alternate, bool Zero, int Width, char Grouping, int Precision, char Type);

    /// <summary><c>template % arguments</c>: a dictionary when the template names its fields, else the positional
    /// values in order.</summary>
    public static string Percent(RenderState state, string template, object? arguments)
    {
        var values = arguments switch
        {
            PyTuple tuple => tuple.Items,
            Dictionary<string, object?> => [arguments],
            _ => [arguments],
        };
        var builder = new StringBuilder();
        var next = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= template.Length)
            {
                throw PyException.ValueError("incomplete format");
            }

            object? value = null;
            var byName = false;
            if (template[i] == '(')
            {
                var close = template.IndexOf(')', i);
                if (close < 0 || arguments is not Dictionary<string, object?> named)
                {
                    throw PyException.TypeError("format requires a mapping");
                }

                var key = template[(i + 1)..close];
                value = named.TryGetValue(key, out var found) ? found : throw new PyException("KeyError", PyText.Repr(key));
                byName = true;
                i = close + 1;
            }

            var (sign, alternate, zero, left) = (' ', false, false, false);
            var hasSign = false;
            for (; i < template.Length && template[i] is '-' or '+' or ' ' or '#' or '0'; i++)
            {
                switch (template[i])
                {
                    case '-': left = true; break;
                    case '+': sign = '+'; hasSign = true; break;
                    case ' ': if (!hasSign) { sign = ' '; hasSign = true; } break;
                    case '#': alternate = true; break;
                    case '0': zero = true; break;
                }
            }

            var width = ReadNumber(template, ref i);
            var precision = -1;
            if (i < template.Length && template[i] == '.')
            {
                i++;
                precision = Math.Max(ReadNumber(template, ref i), 0);
            }

            if (i >= template.Length)
            {
                throw PyException.ValueError("incomplete format");
            }

            var type = template[i];
            if (type == '%')
            {
                builder.Append('%');
                continue;
            }

            if (!byName)
            {
                value = next < values.Length ? values[next++] : throw PyException.TypeError("not enough arguments for format string");
            }

            var spec = new Spec(zero && !left ? '0' : ' ', left ? '<' : '>', hasSign ? sign : '-', alternate, zero && !left, Math.Max(width, 0), '\0', precision, type);
            state.CheckLength((long)builder.Length + spec.Width + Math.Max(spec.Precision, 0), "format");
            var text = type switch
            {
                's' => PyText.Str(value),
                'r' or 'a' => PyText.Repr(value),
                'd' or 'i' or 'u' => FormatNumber(ToIntValue(value, type), spec with { Type = 'd' }),
                _ => FormatNumber(value, spec),
            };
            if (type is 's' or 'r' or 'a')
            {
                text = precision >= 0 && precision < text.Length ? text[..precision] : text;
                text = Pad(text, spec with { Fill = ' ' });
            }

            state.CheckLength(builder.Length + (long)text.Length, "format");
            builder.Append(text);
        }

        if (next < values.Length && arguments is not Dictionary<string, object?>)
        {
            throw PyException.TypeError("not all arguments converted during string formatting");
        }

        return builder.ToString();
    }

    /// <summary><c>template.format(*positional, **named)</c>.</summary>
    public static string Braces(RenderState state, string template, Arguments arguments)
    {
        var builder = new StringBuilder();
        var automatic = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}' )
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    builder.Append('}');
                    i++;
                    continue;
                }

                throw PyException.ValueError("Single '}' encountered in format string");
            }

            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                builder.Append('{');
                i++;
                continue;
            }

            var close = template.IndexOf('}', i);
            if (close < 0)
            {
                throw PyException.ValueError("Single '{' encountered in format string");
            }

            var field = template[(i + 1)..close];
            i = close;
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            var specText = colon >= 0 ? field[(colon + 1)..] : "";
            var name = colon >= 0 ? field[..colon] : field;
            var conversion = '\0';
            if (name.Length >= 2 && name[^2] == '!')
            {
                conversion = name[^1];
                name = name[..^2];
            }

            var accessStart = name.IndexOfAny(['.', '[']);
            var path = accessStart < 0 ? "" : name[accessStart..];
            name = accessStart < 0 ? name : name[..accessStart];
            object? value;
            if (name.Length == 0)
            {
                value = automatic < arguments.Positional.Length ? arguments.Positional[automatic++] : throw new PyException("IndexError", "Replacement index out of range");
            }
            else if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                value = index < arguments.Positional.Length ? arguments.Positional[index] : throw new PyException("IndexError", "Replacement index out of range");
            }
            else
            {
                value = arguments.Named is not null && arguments.Named.TryGetValue(name, out var named) ? named : throw new PyException("KeyError", PyText.Repr(name));
            }

            value = FollowPath(value, path);
            if (conversion != '\0')
            {
                value = conversion switch
                {
                    's' => PyText.Str(value),
                    'r' or 'a' => PyText.Repr(value),
                    _ => throw PyException.ValueError($"Unknown conversion specifier {conversion}"),
                };
            }

            var fieldSpec = ParseSpec(specText);
            state.CheckLength((long)builder.Length + fieldSpec.Width + Math.Max(fieldSpec.Precision, 0), "format");
            var text = FormatWithSpec(value, fieldSpec);
            state.CheckLength(builder.Length + (long)text.Length, "format");
            builder.Append(text);
        }

        return builder.ToString();
    }

    /// <summary>A field's <c>.attribute</c> and <c>[key]</c> parts, read as the template itself would read them (so
    /// they reach data and nothing else).</summary>
    private static object? FollowPath(object? value, string path)
    {
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                value = ValueAccess.GetAttribute(value, path[(i + 1)..end]);
                i = end;
            }
            else
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    throw PyException.ValueError("Missing ']' in format string");
                }

                var key = path[(i + 1)..end];
                value = ValueAccess.GetItem(value, long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : key);
                i = end + 1;
            }
        }

        return value;
    }

    private static int ReadNumber(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        // A width past int.MaxValue is as impossible as one just below it: the render's length limit refuses both.
        return i == start ? -1 : (int)Math.Min(long.Parse(text.AsSpan(start, Math.Min(i - start, 18)), CultureInfo.InvariantCulture), int.MaxValue);
    }

    private static Spec ParseSpec(string text)
    {
        var i = 0;
        var (fill, align) = (' ', '\0');
        if (text.Length >= 2 && text[1] is '<' or '>' or '^' or '=')
        {
            (fill, align, i) = (text[0], text[1], 2);
        }
        else if (text.Length >= 1 && text[0] is '<' or '>' or '^' or '=')
        {
            (align, i) = (text[0], 1);
        }

        var sign = '-';
        if (i < text.Length && text[i] is '+' or '-' or ' ')
        {
            sign = text[i++];
        }

        var alternate = i < text.Length && text[i] == '#' && ++i > 0;
        var zero = i < text.Length && text[i] == '0' && ++i > 0;
        var width = ReadNumber(text, ref i);
        var grouping = i < text.Length && text[i] is ',' or '_' ? text[i++] : '\0';
        var precision = -1;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            precision = ReadNumber(text, ref i);
        }

        var type = i < text.Length ? text[i++] : '\0';
        if (i != text.Length)
        {
            throw PyException.ValueError("Invalid format specifier");
        }

        if (zero && align == '\0')
        {
            (fill, align) = ('0', '=');
        }

        return new Spec(fill, align, sign, alternate, zero, Math.Max(width, 0), grouping, precision, type);
    }

    private static string FormatWithSpec(object? value, Spec spec)
    {
        if (spec.Type is '\0' or 's' && value is string or null or Undefined or List<object?> or PyTuple or Dictionary<string, object?>)
        {
            var text = PyText.Str(value);
            text = spec.Precision >= 0 && spec.Precision < text.Length ? text[..spec.Precision] : text;
            return Pad(text, spec with { Align = spec.Align == '\0' ? '<' : spec.Align });
        }

        if (!PyOps.IsNumber(value))
        {
            throw PyException.ValueError($"Unknown format code '{spec.Type}' for object of type '{PyOps.TypeName(value)}'");
        }

        return FormatNumber(value, spec with { Align = spec.Align == '\0' ? '>' : spec.Align });
    }

    private static object ToIntValue(object? value, char type) => value switch
    {
        bool or long or BigInteger => value,
        double d when double.IsFinite(d) => PyNumber.Int(new BigInteger(Math.Truncate(d))),
        _ => throw PyException.TypeError($"%{type} format: a real number is required, not {PyOps.TypeName(value)}"),
    };

    private static string FormatNumber(object? value, Spec spec)
    {
        if (!PyOps.IsNumber(value))
        {
            throw PyException.TypeError($"must be real number, not {PyOps.TypeName(value)}");
        }

        var number = value!;
        var type = spec.Type == '\0' ? (PyNumber.IsInt(number) ? 'd' : 'r') : spec.Type;
        var negative = number switch { double d => d < 0 || (d == 0 && double.IsNegative(d)), _ => PyNumber.ToBig(number).Sign < 0 };
        var magnitude = PyNumber.Abs(number);
        var precision = spec.Precision >= 0 ? spec.Precision : 6;
        var body = type switch
        {
            'd' when PyNumber.IsInt(magnitude) => PyNumber.ToBig(magnitude).ToString(CultureInfo.InvariantCulture),
            'x' or 'X' or 'o' or 'b' when PyNumber.IsInt(magnitude) => Radix(PyNumber.ToBig(magnitude), type, spec.Alternate),
            'c' when PyNumber.IsInt(magnitude) => char.ConvertFromUtf32((int)PyNumber.ToBig(magnitude)),
            'f' or 'F' => PyNumber.ToDouble(magnitude).ToString("F" + precision, CultureInfo.InvariantCulture),
            'e' or 'E' => Exponent(PyNumber.ToDouble(magnitude), precision, type),
            'g' or 'G' => General(PyNumber.ToDouble(magnitude), spec.Precision >= 0 ? Math.Max(spec.Precision, 1) : 6, type, spec.Alternate),
            '%' => (PyNumber.ToDouble(magnitude) * 100).ToString("F" + precision, CultureInfo.InvariantCulture) + "%",
            'r' => PyText.FloatRepr(PyNumber.ToDouble(magnitude)),
            _ => throw PyException.ValueError($"Unknown format code '{type}' for object of type '{PyOps.TypeName(value)}'"),
        };
        if (spec.Grouping != '\0')
        {
            body = Group(body, spec.Grouping);
        }

        var signText = negative ? "-" : spec.Sign is '+' or ' ' ? spec.Sign.ToString() : "";
        if (spec.Align == '=' || (spec.Zero && spec.Align is '\0' or '>'))
        {
            var padding = spec.Width - signText.Length - body.Length;
            return signText + (padding > 0 ? new string(spec.Zero ? '0' : spec.Fill, padding) : "") + body;
        }

        return Pad(signText + body, spec);
    }

    private static string Radix(BigInteger value, char type, bool alternate)
    {
        var radix = type switch { 'o' => 8, 'b' => 2, _ => 16 };
        var digits = new StringBuilder();
        do
        {
            var digit = (int)(value % radix);
            digits.Insert(0, (char)(digit < 10 ? '0' + digit : (type == 'X' ? 'A' : 'a') + digit - 10));
            value /= radix;
        }
        while (!value.IsZero);

        return (alternate ? "0" + (type == 'X' ? 'X' : type) : "") + digits;
    }

    private static string Exponent(double value, int precision, char type)
    {
        var text = value.ToString((type == 'E' ? "E" : "e") + precision, CultureInfo.InvariantCulture);
        var e = text.IndexOfAny(['e', 'E']);
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return text[..(e + 1)] + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static string General(double value, int precision, char type, bool alternate)
    {
        if (value == 0)
        {
            return "0";
        }

        var exponent = (int)Math.Floor(Math.Log10(value));
        var rounded = double.Parse(value.ToString("E" + (precision - 1), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        exponent = rounded == 0 ? exponent : (int)Math.Floor(Math.Log10(rounded));
        var text = exponent < -4 || exponent >= precision
            ? Exponent(value, precision - 1, type == 'G' ? 'E' : 'e')
            : value.ToString("F" + Math.Max(precision - 1 - exponent, 0), CultureInfo.InvariantCulture);
        if (!alternate && text.Contains('.', StringComparison.Ordinal))
        {
            var e = text.IndexOfAny(['e', 'E']);
            var mantissa = (e < 0 ? text : text[..e]).TrimEnd('0').TrimEnd('.');
            text = mantissa + (e < 0 ? "" : text[e..]);
        }

        return text;
    }

    private static string Group(string body, char separator)
    {
        var point = body.IndexOfAny(['.', 'e', 'E', '%']);
        var integer = point < 0 ? body : body[..point];
        var builder = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0)
            {
                builder.Append(separator);
            }

            builder.Append(integer[i]);
        }

        return builder + (point < 0 ? "" : body[point..]);
    }

    private static string Pad(string text, Spec spec)
    {
        var padding = spec.Width - PyText.CodePointCount(text);
        if (padding <= 0)
        {
            return text;
        }

        return spec.Align switch
        {
            '<' => text + new string(spec.Fill, padding),
            '^' => new string(spec.Fill, padding / 2) + text + new string(spec.Fill, padding - (padding / 2)),
            _ => new string(spec.Fill, padding) + text,
        };
    }
}
