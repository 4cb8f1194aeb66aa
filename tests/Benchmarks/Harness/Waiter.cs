using System.Diagnostics;
using Webhooks.Benchmarks.Receiver;
using Webhooks.Benchmarks.Workload;

namespace Webhooks.Benchmarks.Harness;

/// <summary>Polls the receiver until every expected delivery is there, nothing has arrived for the stall time, or
/// the deadline passes. Never sleeps blindly: each wait is a poll tick bounded by those limits.</summary>
public static class Waiter
{
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(50);

    public sealed record Outcome(bool Completed, DeliveryReport Report, Arrival[] Arrivals, string? Failure);

    /// <summary>Waits for the receiver's raw count to reach <paramref name="arrivals"/> (used for warm-ups); false
    /// when the deadline passes first, or nothing arrives for <paramref name="stall"/> (when given).</summary>
    public static async Task<bool> WaitForCountAsync(ReceiverProcess receiver, long arrivals, TimeSpan timeout, CancellationToken cancellationToken, TimeSpan? stall = null)
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(timeout);
        var lastCount = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        using var poll = new PeriodicTimer(PollPeriod);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var count = (await receiver.StatsAsync(cancellationToken)).Arrivals;
            if (count >= arrivals)
            {
                return true;
            }

            if (count != lastCount)
            {
                (lastCount, lastProgress) = (count, Stopwatch.GetTimestamp());
            }
            else if (stall is { } limit && Stopwatch.GetTimestamp() - lastProgress > Ticks(limit))
            {
                return false;
            }

            await poll.WaitForNextTickAsync(cancellationToken);
        }

        return false;
    }

    /// <summary>Waits until every expected pair of events [0, events) has arrived, then analyses the log.</summary>
    /// <param name="failed">Checked on every poll: a non-null message (e.g. the publishers gave up, the silo
    /// died) ends the wait as a failure.</param>
    public static async Task<Outcome> WaitForDeliveriesAsync(ReceiverProcess receiver, Scenario scenario, int events, long expected,
        TimeSpan timeout, TimeSpan stall, Func<string?> failed, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(timeout);
        var lastCount = -1L;
        var lastProgress = Stopwatch.GetTimestamp();
        var analysedAt = -1L;
        using var poll = new PeriodicTimer(PollPeriod);
        while (true)
        {
            var count = (await receiver.StatsAsync(cancellationToken)).Arrivals;
            var now = Stopwatch.GetTimestamp();
            if (count != lastCount)
            {
                lastCount = count;
                lastProgress = now;
            }

            // The raw count includes duplicates and strays, so reaching it is necessary, not sufficient.
            if (count >= expected && count != analysedAt)
            {
                analysedAt = count;
                var arrivals = await receiver.ArrivalsAsync(cancellationToken);
                var report = DeliveryCheck.Analyze(arrivals, scenario, events, expected);
                if (report.Lost == 0)
                {
                    // Late duplicates: give the counter a moment to stay still before the final tally.
                    var settled = await SettleAsync(receiver, count, cancellationToken);
                    if (settled != count)
                    {
                        arrivals = await receiver.ArrivalsAsync(cancellationToken);
                        report = DeliveryCheck.Analyze(arrivals, scenario, events, expected);
                    }

                    return new Outcome(true, report, arrivals, null);
                }
            }

            string? failure = failed();
            if (failure is null && now - lastProgress > Ticks(stall))
            {
                failure = $"nothing arrived for {stall.TotalSeconds:0} s ({count} of {expected} arrivals)";
            }

            if (failure is null && now > deadline)
            {
                failure = $"deadline of {timeout.TotalSeconds:0} s passed ({count} of {expected} arrivals)";
            }

            if (failure is not null)
            {
                var arrivals = await receiver.ArrivalsAsync(cancellationToken);
                return new Outcome(false, DeliveryCheck.Analyze(arrivals, scenario, events, expected), arrivals, failure);
            }

            await poll.WaitForNextTickAsync(cancellationToken);
        }
    }

    /// <summary>Polls until the arrival count has not changed for 300 ms (at most 3 s); returns the last count.</summary>
    private static async Task<long> SettleAsync(ReceiverProcess receiver, long count, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(3));
        var quietSince = Stopwatch.GetTimestamp();
        using var poll = new PeriodicTimer(PollPeriod);
        while (Stopwatch.GetTimestamp() < deadline && Stopwatch.GetTimestamp() - quietSince < Ticks(TimeSpan.FromMilliseconds(300)))
        {
            await poll.WaitForNextTickAsync(cancellationToken);
            var now = (await receiver.StatsAsync(cancellationToken)).Arrivals;
            if (now != count)
            {
                count = now;
                quietSince = Stopwatch.GetTimestamp();
            }
        }

        return count;
    }

    public static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
