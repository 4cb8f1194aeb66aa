using Webhooks.Tests.Infrastructure;
using Webhooks.Rules;

namespace Webhooks.Tests.Flows;

[Collection(ClusterCollection.Name)]
public sealed class IsolationTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task RunawayConditionAndFailingTemplate_AreReportedOnTheirWebhooks_WhileAHealthyWebhookKeepsDelivering()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/isolation");
        var runaway = await _scenario.WebhookAsync(type, endpoint, d => d with { Condition = "while(true){}" });
        var broken = await _scenario.WebhookAsync(type, endpoint, d => d with
        {
            BodyTemplate = "{% for i in range(100) %}{% for j in range(100) %}{% for k in range(100) %}{{ i }}{% endfor %}{% endfor %}{% endfor %}",
        });
        await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "healthy {{ data.n }}" });

        for (var n = 1; n <= 3; n++)
        {
            await _scenario.PublishAsync(Scenario.Event(type, "created", new { n }));
        }

        var requests = await _receiver.WaitForAsync("/isolation", 3);
        Assert.Equal(["healthy 1", "healthy 2", "healthy 3"], requests.Select(r => r.BodyText));

        var runawayInfo = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IWebhookGrain>(runaway).GetAsync(), i => i.Stats.ConditionErrors == 3, "the runaway condition was reported 3 times");
        Assert.Contains("condition", runawayInfo.Stats.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, runawayInfo.Stats.DeliveriesCreated);
        var brokenInfo = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IWebhookGrain>(broken).GetAsync(), i => i.Stats.TemplateErrors == 3, "the template error was reported 3 times");
        Assert.Contains("template", brokenInfo.Stats.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, brokenInfo.Stats.DeliveriesCreated);
        Assert.Equal(3, _receiver.For("/isolation").Count);
    }

    [Fact]
    public async Task DeadEndpointWithAThousandsLongBacklog_DoesNotHoldUpOtherWebhooksOfTheSameType()
    {
        const int events = 3000;
        var type = _scenario.Type();
        // Nothing listens on port 1: every attempt is refused at once, so the dead endpoint only piles up.
        var dead = await _scenario.EndpointAsync("http://127.0.0.1:1/dead");
        var healthy = await _scenario.EndpointAsync($"{_receiver.Url}/alive", d => d with { MaxInFlight = 8 });
        await _scenario.WebhookAsync(type, dead);
        await _scenario.WebhookAsync(type, healthy, d => d with { BodyTemplate = "{{ data.n }}" });

        for (var batch = 0; batch < events / 100; batch++)
        {
            await _scenario.PublishAsync([.. Enumerable.Range(batch * 100, 100).Select(n => Scenario.Event(type, "created", new { n }))]);
        }

        // Well past the old bound of 1,000 deliveries per endpoint, beyond which the dead endpoint's webhook waited
        // for room and so stalled the stream every webhook of the type reads.
        var arrived = await _receiver.WaitForAsync("/alive", events);
        Assert.Equal(events, arrived.Select(r => r.BodyText).Distinct().Count());
        var backlog = await fixture.Client.GetGrain<Webhooks.Endpoints.IEndpointGrain>(dead).GetStatusAsync();
        Assert.True(backlog.Queued + backlog.InFlight >= events - 50, $"the dead endpoint holds {backlog.Queued} + {backlog.InFlight}");
        Assert.Equal(0, backlog.WaitingEnqueuers);
    }
}
