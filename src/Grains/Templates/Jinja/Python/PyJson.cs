using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Webhooks.Templates.Jinja.Runtime;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>JSON in and out as Python does it: <see cref="Parse"/> reads the event's JSON into Python values (ints
/// and floats kept apart, as <c>json.loads</c> does); <see cref="ToJson"/> is Jinja2's <c>tojson</c>:
/// <c>json.dumps(value, sort_keys=True)</c> with ASCII-only output, then <c>&lt; &gt; &amp; '</c> escaped as
/// <c>\u003c</c> and so on, so the result is safe inside HTML as well.</summary>
internal static class PyJson
{
    public static object? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return Convert(document.RootElement);
    }

    public static object? Convert(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    dict[property.Name] = Convert(property.Value);
                }

                return dict;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    list.Add(Convert(item));
                }

                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return Number(element);
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    private static object Number(JsonElement element)
    {
        if (element.TryGetInt64(out var integer))
        {
            return integer;
        }

        var raw = element.GetRawText();
        // Longer ints than Python converts (json.loads refuses them) are read as the nearest float.
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && raw.Length <= PyNumber.MaxIntDigits)
        {
            return PyNumber.Int(BigInteger.Parse(raw, CultureInfo.InvariantCulture));
        }

        return element.GetDouble();
    }

    public static string ToJson(object? value, int? indent, int maxLength)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, 0, maxLength);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, int? indent, int depth, int maxLength)
    {
        if (builder.Length > maxLength)
        {
            throw new TemplateLimitException($"tojson would write more than {maxLength} characters");
        }

        if (depth > 100)
        {
            throw PyException.ValueError("Circular reference detected");
        }

        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long or BigInteger:
                builder.Append(PyText.Str(value));
                break;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyText.FloatRepr(d));
                break;
            case string s:
                WriteString(builder, s);
                break;
            case List<object?> or PyTuple:
                var items = (IReadOnlyList<object?>)value;
                if (items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }

                builder.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    Separate(builder, i, indent, depth + 1);
                    Write(builder, items[i], indent, depth + 1, maxLength);
                }

                Close(builder, indent, depth);
                builder.Append(']');
                break;
            case Dictionary<string, object?> dict:
                if (dict.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }

                builder.Append('{');
                var index = 0;
                foreach (var key in dict.Keys.Order(CodePointOrder.Instance))
                {
                    Separate(builder, index++, indent, depth + 1);
                    WriteString(builder, key);
                    builder.Append(": ");
                    Write(builder, dict[key], indent, depth + 1, maxLength);
                }

                Close(builder, indent, depth);
                builder.Append('}');
                break;
            default:
                throw PyException.TypeError($"Object of type {PyOps.TypeName(value)} is not JSON serializable");
        }
    }

    private static void Separate(StringBuilder builder, int index, int? indent, int depth)
    {
        if (indent is { } width)
        {
            builder.Append(index == 0 ? "\n" : ",\n").Append(' ', width * depth);
        }
        else if (index > 0)
        {
            builder.Append(", ");
        }
    }

    private static void Close(StringBuilder builder, int? indent, int depth)
    {
        if (indent is { } width)
        {
            builder.Append('\n').Append(' ', width * depth);
        }
    }

    private static void WriteString(StringBuilder builder, string s)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case '<' or '>' or '&' or '\'':
                case < ' ' or > '~':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Python's string order (by code point), which <c>sort_keys</c> uses.</summary>
    private sealed class CodePointOrder : IComparer<string>
    {
        public static readonly CodePointOrder Instance = new();

        public int Compare(string? x, string? y) => PyOps.CompareCodePoints(x!, y!);
    }
}
