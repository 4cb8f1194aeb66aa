using Webhooks.Tests.Infrastructure;
using Webhooks.Webhooks;

namespace Webhooks.Tests.Delivery;

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
            BodyTemplate = "{% for i in (1..10000000) %}{{ i }}{% endfor %}",
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
}
