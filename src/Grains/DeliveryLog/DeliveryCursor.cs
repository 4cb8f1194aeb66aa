using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Webhooks.Deliveries;
using Webhooks.Errors;

namespace Webhooks.DeliveryLog;

/// <summary>Position in the delivery log's order (newest first: creation time, then endpoint, then sequence,
/// all descending); page tokens encode the last item returned.</summary>
public readonly record struct DeliveryCursor(long CreatedTicks, string EndpointId, long Sequence) : IComparable<DeliveryCursor>
{
    public static DeliveryCursor Of(DeliveryRecord record) => new(record.CreatedAt.UtcTicks, record.EndpointId, record.Sequence);

    public static bool operator <(DeliveryCursor left, DeliveryCursor right) => left.CompareTo(right) < 0;

    public static bool operator <=(DeliveryCursor left, DeliveryCursor right) => left.CompareTo(right) <= 0;

    public static bool operator >(DeliveryCursor left, DeliveryCursor right) => left.CompareTo(right) > 0;

    public static bool operator >=(DeliveryCursor left, DeliveryCursor right) => left.CompareTo(right) >= 0;

    /// <summary>Negative when this comes first in newest-first order.</summary>
    public int CompareTo(DeliveryCursor other)
    {
        var byTime = other.CreatedTicks.CompareTo(CreatedTicks);
        if (byTime != 0)
        {
            return byTime;
        }

        var byEndpoint = string.CompareOrdinal(other.EndpointId, EndpointId);
        return byEndpoint != 0 ? byEndpoint : other.Sequence.CompareTo(Sequence);
    }

    public string ToToken() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{CreatedTicks}|{EndpointId}|{Sequence}")));

    public static DeliveryCursor? FromToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|');
            if (parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                return new DeliveryCursor(ticks, parts[1], sequence);
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidFieldException("page_token", "is not a token returned by ListDeliveries");
    }
}
