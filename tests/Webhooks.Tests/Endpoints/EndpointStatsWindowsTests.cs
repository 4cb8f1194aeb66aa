using Webhooks.Endpoints;

namespace Webhooks.Tests.Endpoints;

public sealed class EndpointStatsWindowsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Throughput_IsTheLastMinutesAverage_AndForgetsOlderSeconds()
    {
        var window = new ThroughputWindow();
        for (var second = 0; second < 60; second++)
        {
            for (var i = 0; i < 10; i++)
            {
                window.Add(Start.AddSeconds(second));
            }
        }

        Assert.Equal(10, window.PerSecond(Start.AddSeconds(59)));
        // Thirty seconds later half the minute is empty.
        Assert.Equal(5, window.PerSecond(Start.AddSeconds(89)));
        Assert.Equal(0, window.PerSecond(Start.AddSeconds(200)));
        window.Add(Start.AddSeconds(200));
        Assert.Equal(1 / 60.0, window.PerSecond(Start.AddSeconds(200)), 6);
    }

    [Fact]
    public void Latencies_ArePercentilesOfTheMostRecentAttempts()
    {
        var latencies = new RecentLatencies(capacity: 100);
        Assert.Null(latencies.Percentiles());

        for (var ms = 1; ms <= 100; ms++)
        {
            latencies.Add(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(95), TimeSpan.FromMilliseconds(99)), latencies.Percentiles());

        // A hundred slow attempts push the fast ones out.
        for (var i = 0; i < 100; i++)
        {
            latencies.Add(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(TimeSpan.FromSeconds(2), latencies.Percentiles()!.Value.P50);
    }

    [Fact]
    public void RetriedFailures_AreWarnedOfOnceAMinute_AndAtOnceWhenTheReasonChanges()
    {
        var stats = new Webhooks.Endpoints.EndpointStats(new Webhooks.Diagnostics.WebhooksMetrics(
            new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddMetrics().BuildServiceProvider()
                .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            Microsoft.Extensions.Options.Options.Create(new Webhooks.Hosting.TelemetryOptions()), new Webhooks.Diagnostics.SiloDeliveryLoad()));
        var start = Start;
        stats.RecordAttempt(new Webhooks.Deliveries.DeliveryAttempt { Time = start, Duration = TimeSpan.Zero, StatusCode = 503 });

        Assert.True(stats.ShouldWarnOfRetry(start));
        Assert.False(stats.ShouldWarnOfRetry(start.AddSeconds(59)));
        stats.RecordAttempt(new Webhooks.Deliveries.DeliveryAttempt { Time = start, Duration = TimeSpan.Zero, Error = "connection refused" });
        Assert.True(stats.ShouldWarnOfRetry(start.AddSeconds(59)));
        Assert.False(stats.ShouldWarnOfRetry(start.AddSeconds(60)));
        Assert.True(stats.ShouldWarnOfRetry(start.AddSeconds(120)));
    }
}
