using System.Globalization;

namespace Webhooks.Tests.Infrastructure;

/// <summary>The event ids of one test run's load: "{run}-{index:D5}", unique per run so that runs sharing a receiver
/// or a database cannot be mixed up.</summary>
public sealed class EventIds(string run)
{
    public string Run => run;

    public string Of(int index) => string.Create(CultureInfo.InvariantCulture, $"{run}-{index:D5}");

    /// <summary>The index of one of this run's event ids; -1 for any other id (a probe, say).</summary>
    public int IndexOf(string eventId) =>
        eventId.StartsWith(run + "-", StringComparison.Ordinal) && int.TryParse(eventId.AsSpan(run.Length + 1), CultureInfo.InvariantCulture, out var i) ? i : -1;
}
