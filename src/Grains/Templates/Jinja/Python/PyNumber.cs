using System.Numerics;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's int and float arithmetic: ints (bool included) of any size stay exact, an int with a float gives a
/// float, <c>/</c> always gives a float, <c>//</c> and <c>%</c> round towards negative infinity.</summary>
internal static class PyNumber
{
    /// <summary>The longest int a template may make or read, in bits: Python has no limit, but no template needs a number
    /// this long, and arithmetic on longer ones takes time and memory out of all proportion.</summary>
    public const int MaxIntBits = 64 * 1024;

    /// <summary>Python's own limit on int ↔ decimal text conversion (sys.int_max_str_digits).</summary>
    public const int MaxIntDigits = 4300;

    public static bool IsInt(object? value) => value is bool or long or BigInteger;

    public static BigInteger ToBig(object value) => value switch
    {
        bool b => b ? BigInteger.One : BigInteger.Zero,
        long l => l,
        BigInteger big => big,
        _ => throw new InvalidOperationException("not an int"),
    };

    public static double ToDouble(object value) => value switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        BigInteger big => (double)big,
        double d => d,
        _ => throw new InvalidOperationException("not a number"),
    };

    /// <summary>An int as the smallest representation that holds it; refused past <see cref="MaxIntBits"/>.</summary>
    public static object Int(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return (long)value;
        }

        return value.GetBitLength() <= MaxIntBits ? value : throw new TemplateLimitException($"an int would have more than {MaxIntBits} bits");
    }

    public static int Compare(object left, object right)
    {
        if (left is double x1 && right is double y1)
        {
            return double.IsNaN(x1) || double.IsNaN(y1) ? 2 : x1.CompareTo(y1);
        }

        if (left is double d1)
        {
            var order = CompareIntWithFloat(ToBig(right), d1);
            return order == 2 ? 2 : -order;
        }

        if (right is double d2)
        {
            return CompareIntWithFloat(ToBig(left), d2);
        }

        if (left is long x && right is long y)
        {
            return x.CompareTo(y);
        }

        return ToBig(left).CompareTo(ToBig(right));
    }

    /// <summary>Compares an int with a float exactly, as Python does (2**53 + 1 is not equal to 2.0**53).</summary>
    private static int CompareIntWithFloat(BigInteger value, double d)
    {
        if (double.IsNaN(d))
        {
            return 2;
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? -1 : 1;
        }

        var floor = Math.Floor(d);
        var order = value.CompareTo(new BigInteger(floor));
        return order != 0 ? order : (d > floor ? -1 : 0);
    }

    public static object Add(object left, object right)
    {
        if (left is double || right is double)
        {
            return ToDouble(left) + ToDouble(right);
        }

        if (Small(left, out var a) && Small(right, out var b))
        {
            var sum = a + b;
            if (((a ^ sum) & (b ^ sum)) >= 0)
            {
                return sum;
            }
        }

        return Int(ToBig(left) + ToBig(right));
    }

    public static object Subtract(object left, object right)
    {
        if (left is double || right is double)
        {
            return ToDouble(left) - ToDouble(right);
        }

        if (Small(left, out var a) && Small(right, out var b))
        {
            var difference = a - b;
            if (((a ^ b) & (a ^ difference)) >= 0)
            {
                return difference;
            }
        }

        return Int(ToBig(left) - ToBig(right));
    }

    public static object Multiply(object left, object right)
    {
        if (left is double || right is double)
        {
            return ToDouble(left) * ToDouble(right);
        }

        if (Small(left, out var a) && Small(right, out var b) && Math.Abs(a) < int.MaxValue && Math.Abs(b) < int.MaxValue)
        {
            return a * b;
        }

        var (x, y) = (ToBig(left), ToBig(right));
        if (x.GetBitLength() + y.GetBitLength() > MaxIntBits + 1)
        {
            throw new TemplateLimitException($"an int would have more than {MaxIntBits} bits");
        }

        return Int(x * y);
    }

    public static double TrueDivide(object left, object right)
    {
        var divisor = ToDouble(right);
        if (divisor == 0)
        {
            throw PyException.ZeroDivision(IsInt(left) && IsInt(right) ? "division by zero" : "float division by zero");
        }

        if (IsInt(left) && IsInt(right) && (left is BigInteger || right is BigInteger))
        {
            return (double)ToBig(left) / (double)ToBig(right);
        }

        return ToDouble(left) / divisor;
    }

    public static object FloorDivide(object left, object right)
    {
        if (left is double || right is double)
        {
            var (a, b) = (ToDouble(left), ToDouble(right));
            if (b == 0)
            {
                throw PyException.ZeroDivision("float floor division by zero");
            }

            return FloatFloorDivide(a, b);
        }

        var (x, y) = (ToBig(left), ToBig(right));
        if (y.IsZero)
        {
            throw PyException.ZeroDivision("integer division or modulo by zero");
        }

        var quotient = BigInteger.DivRem(x, y, out var remainder);
        if (!remainder.IsZero && (remainder.Sign < 0) != (y.Sign < 0))
        {
            quotient -= 1;
        }

        return Int(quotient);
    }

    /// <summary>Python's float <c>//</c>, from the remainder as divmod computes it (1 // 0.1 is 9.0, not 10.0).</summary>
    private static double FloatFloorDivide(double a, double b)
    {
        var mod = a % b;
        var div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0))
        {
            div -= 1.0;
        }

        if (div == 0)
        {
            return double.CopySign(0.0, a / b);
        }

        var floor = Math.Floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    public static object Modulo(object left, object right)
    {
        if (left is double || right is double)
        {
            var (a, b) = (ToDouble(left), ToDouble(right));
            if (b == 0)
            {
                throw PyException.ZeroDivision("float modulo");
            }

            var mod = a % b;
            if (mod != 0 && (mod < 0) != (b < 0))
            {
                mod += b;
            }

            return mod == 0 ? double.CopySign(0.0, b) : mod;
        }

        var (x, y) = (ToBig(left), ToBig(right));
        if (y.IsZero)
        {
            throw PyException.ZeroDivision("integer division or modulo by zero");
        }

        var remainder = BigInteger.Remainder(x, y);
        if (!remainder.IsZero && (remainder.Sign < 0) != (y.Sign < 0))
        {
            remainder += y;
        }

        return Int(remainder);
    }

    /// <summary><c>**</c>; an int exponent past <paramref name="maxBits"/> bits of result is refused before it is
    /// computed (Python would take minutes and gigabytes).</summary>
    public static object Power(object left, object right, int maxBits)
    {
        if (IsInt(left) && IsInt(right) && ToBig(right).Sign >= 0)
        {
            var (x, y) = (ToBig(left), ToBig(right));
            var bits = x.IsZero || x.IsOne || x == BigInteger.MinusOne ? 1 : (double)x.GetBitLength() * (double)y;
            if (bits > maxBits)
            {
                throw new TemplateLimitException($"the power would have about {bits:0} bits");
            }

            return Int(BigInteger.Pow(x, (int)y));
        }

        var (a, b) = (ToDouble(left), ToDouble(right));
        if (a == 0 && b < 0)
        {
            throw PyException.ZeroDivision("0.0 cannot be raised to a negative power");
        }

        var result = Math.Pow(a, b);
        if (double.IsNaN(result) && !double.IsNaN(a) && !double.IsNaN(b))
        {
            throw PyException.ValueError("math domain error");
        }

        return result;
    }

    public static object Negate(object value) => value switch
    {
        double d => -d,
        long l when l != long.MinValue => -l,
        _ => Int(-ToBig(value)),
    };

    public static object Positive(object value) => value is bool b ? (b ? 1L : 0L) : value;

    public static object Abs(object value) => value switch
    {
        double d => Math.Abs(d),
        _ => Int(BigInteger.Abs(ToBig(value))),
    };

    private static bool Small(object value, out long result)
    {
        switch (value)
        {
            case long l:
                result = l;
                return true;
            case bool b:
                result = b ? 1 : 0;
                return true;
            default:
                result = 0;
                return false;
        }
    }
}
