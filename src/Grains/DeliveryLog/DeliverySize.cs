using Webhooks.Deliveries;

namespace Webhooks.DeliveryLog;

/// <summary>What a delivery weighs, for the bounds that count bytes as well as deliveries.</summary>
internal static class DeliverySize
{
    /// <summary>What its request costs in memory: two bytes per character of body, URL and headers, and its objects.</summary>
    public static long Request(DeliveryRecord record)
    {
        long chars = record.Body.Length + record.Url.Length;
        foreach (var header in record.Headers)
        {
            chars += header.Name.Length + header.Value.Length;
        }

        return 512 + (2 * chars);
    }

    /// <summary>What it costs in memory with every attempt's response, as the delivery log keeps and returns it.</summary>
    public static long WithAttempts(DeliveryRecord record)
    {
        var bytes = Request(record);
        if (!record.Attempts.IsDefault)
        {
            foreach (var attempt in record.Attempts)
            {
                long chars = attempt.ResponseBody.Length + attempt.Error.Length;
                foreach (var header in attempt.ResponseHeaders)
                {
                    chars += header.Name.Length + header.Value.Length;
                }

                bytes += 128 + (2 * chars);
            }
        }

        return bytes;
    }
}
