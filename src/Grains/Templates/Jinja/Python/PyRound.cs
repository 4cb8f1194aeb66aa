using System.Globalization;
using System.Numerics;

namespace Webhooks.Templates.Jinja.Python;

/// <summary>Python's <c>round(x, n)</c> for floats: the exact binary value rounded half to even at the n-th decimal,
/// then read back as the nearest double, so <c>round(2.675, 2)</c> is 2.67 and <c>round(2.5)</c> is 2.0, as in
/// Python.</summary>
internal static class PyRound
{
    public static double Round(double value, int digits)
    {
        if (!double.IsFinite(value) || value == 0 || digits > 340)
        {
            return value;
        }

        if (digits < -340)
        {
            // Past every double's magnitude: rounds to a signed zero, as in Python.
            return value < 0 ? -0.0 : 0.0;
        }

        // value = mantissa × 2^exponent exactly.
        var bits = BitConverter.DoubleToInt64Bits(value);
        var rawExponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (rawExponent == 0)
        {
            rawExponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        var exponent = rawExponent - 1075;
        var numerator = new BigInteger(mantissa);
        var denominator = BigInteger.One;
        if (exponent >= 0)
        {
            numerator <<= exponent;
        }
        else
        {
            denominator <<= -exponent;
        }

        if (digits >= 0)
        {
            numerator *= BigInteger.Pow(10, digits);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -digits);
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient += 1;
        }

        var text = quotient.ToString(CultureInfo.InvariantCulture) + "E" + (-digits).ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }
}
