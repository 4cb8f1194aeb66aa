using System.Globalization;

namespace Webhooks.Deliveries;

/// <summary>Delivery ids are "{endpoint id}.{sequence}", so a lookup goes straight to the owning endpoint.</summary>
public static class DeliveryId
{
    public static string Format(string endpointId, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{endpointId}.{sequence}");

    public static bool TryParse(string? id, out string endpointId, out long sequence)
    {
        endpointId = "";
        sequence = 0;
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var dot = id.LastIndexOf('.');
        if (dot <= 0 || !long.TryParse(id.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence))
        {
            return false;
        }

        endpointId = id[..dot];
        return true;
    }
}
