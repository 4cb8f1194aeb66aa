using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Webhooks.Conditions;

/// <summary>Puts a size check in front of the built-ins that build a large value in one call. Jint checks its memory
/// limit between statements, so <c>'x'.repeat(2**28)</c> or <c>Array(1e5).fill(s).join('')</c> would allocate
/// hundreds of megabytes inside a single call before any check ran; these refuse such a call before it allocates.
/// Growth spread over statements (<c>s += s</c> in a loop) is left to the memory limit, which sees it.</summary>
internal static class BoundedBuiltIns
{
    // A JavaScript string holds UTF-16 code units: two bytes each.
    private const int BytesPerChar = 2;

    // Rough cost of one array element that split creates: the JsString, its string and the slot.
    private const int BytesPerElement = 64;

    public static void Install(Engine engine, long memoryBytes, uint maxArraySize)
    {
        var maxChars = memoryBytes / BytesPerChar;
        var strings = Prototype(engine, "String");
        var arrays = Prototype(engine, "Array");

        Guard(engine, strings, "repeat", 1, (self, args) =>
            (long)Math.Min(Text(self).Length * Math.Max(0, Number(args, 0)), long.MaxValue / 2));
        Guard(engine, strings, "padStart", 1, (self, args) => (long)Math.Min(Number(args, 0), long.MaxValue / 2));
        Guard(engine, strings, "padEnd", 1, (self, args) => (long)Math.Min(Number(args, 0), long.MaxValue / 2));
        Guard(engine, strings, "concat", 1, (self, args) => Text(self).Length + args.Sum(a => (long)TypeConverter.ToString(a).Length));
        Guard(engine, strings, "replace", 2, (self, args) => ReplacedLength(Text(self), args, all: false));
        Guard(engine, strings, "replaceAll", 2, (self, args) => ReplacedLength(Text(self), args, all: true));
        Guard(engine, strings, "split", 2, (self, args) => Text(self).Length * (long)BytesPerElement / BytesPerChar);
        Guard(engine, arrays, "join", 1, (self, args) => JoinedLength(self, args, maxArraySize, maxChars));
        Guard(engine, engine.GetValue("JSON").AsObject(), "stringify", 3, (_, args) => JsonLength(args.Length > 0 ? args[0] : JsValue.Undefined, maxChars));

        void Guard(Engine e, ObjectInstance target, string name, int length, Func<JsValue, JsValue[], long> expectedChars)
        {
            var original = target.Get(name);
            var guarded = new ClrFunction(e, name, (self, args) =>
            {
                var expected = expectedChars(self, args);
                if (expected > maxChars)
                {
                    throw new ConditionLimitException(
                        $"{name} would build {expected} characters; the condition may use {memoryBytes / (1024 * 1024)} MiB (Conditions:MemoryBytes)");
                }

                return e.Call(original, self, args);
            }, length);
            target.DefineOwnProperty(name, new PropertyDescriptor(guarded, writable: true, enumerable: false, configurable: true));
        }
    }

    private static ObjectInstance Prototype(Engine engine, string constructor) =>
        engine.GetValue(constructor).AsObject().Get("prototype").AsObject();

    private static string Text(JsValue value) => value.IsNull() || value.IsUndefined() ? "" : TypeConverter.ToString(value);

    private static double Number(JsValue[] args, int index)
    {
        var number = index < args.Length ? TypeConverter.ToNumber(args[index]) : 0;
        return double.IsNaN(number) ? 0 : number;
    }

    /// <summary>An upper bound of the result: every match replaced, and each $-pattern in the replacement taken as
    /// long as the whole text. A function replacement runs statements, which the memory limit sees.</summary>
    private static long ReplacedLength(string text, JsValue[] args, bool all)
    {
        var pattern = args.Length > 0 ? args[0] : JsValue.Undefined;
        var replacement = args.Length > 1 ? args[1] : JsValue.Undefined;
        if (replacement is Jint.Native.Function.Function)
        {
            return text.Length;
        }

        var with = TypeConverter.ToString(replacement);
        var perMatch = with.Length + (long)with.Count(c => c == '$') * text.Length;
        long matches = pattern is JsString literal && literal.ToString() is { Length: > 0 } needle
            ? (all ? text.AsSpan().Count(needle) : Math.Min(1, text.AsSpan().Count(needle)))
            : text.Length + 1;
        return text.Length + matches * perMatch;
    }

    private static long JoinedLength(JsValue self, JsValue[] args, uint maxArraySize, long limit)
    {
        if (self is not ObjectInstance array)
        {
            return 0;
        }

        var length = TypeConverter.ToNumber(array.Get("length"));
        if (length > maxArraySize)
        {
            return long.MaxValue / 2;
        }

        var separator = args.Length > 0 && !args[0].IsUndefined() ? TypeConverter.ToString(args[0]).Length : 1;
        long total = 0;
        for (uint i = 0; i < length && total <= limit; i++)
        {
            total += separator + array.Get(i) switch
            {
                JsString text => text.Length,
                JsNumber => 24,
                _ => 0,
            };
        }

        return total;
    }

    /// <summary>At least how long JSON.stringify's text will be: strings, numbers and nesting of plain data, stopping
    /// once past <paramref name="limit"/>. Getters and toJSON run statements, which the memory limit sees.</summary>
    private static long JsonLength(JsValue value, long limit)
    {
        long total = 0;
        Add(value, 0);
        return total;

        void Add(JsValue item, int depth)
        {
            if (total > limit || depth > 64)
            {
                return;
            }

            switch (item)
            {
                case JsString text:
                    total += text.Length + 2;
                    break;
                case ObjectInstance obj when obj is not Jint.Native.Function.Function:
                    total += 2;
                    foreach (var (key, descriptor) in obj.GetOwnProperties())
                    {
                        if (total > limit)
                        {
                            return;
                        }

                        if (descriptor.Enumerable && !descriptor.IsAccessorDescriptor())
                        {
                            total += key.ToString().Length + 3;
                            Add(descriptor.Value, depth + 1);
                        }
                    }

                    break;
                default:
                    total += 4;
                    break;
            }
        }
    }
}
