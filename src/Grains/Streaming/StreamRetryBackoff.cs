using Orleans.Runtime.Providers;
using Orleans.Internal;

namespace Webhooks.Streaming;

/// <summary>How soon the pulling agent retries a subscriber that could not take an event (its endpoint
/// stayed full). The subscriber has already waited for room before failing, so retrying again soon keeps
/// latency low once the endpoint drains; Orleans' default grows to 30 s.</summary>
internal sealed class StreamRetryBackoff : IMessageDeliveryBackoffProvider
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(1);

    public TimeSpan Next(int attempt) => TimeSpan.FromTicks(Math.Min(Step.Ticks * Math.Max(attempt, 1), Max.Ticks));
}
