using System.Collections.Immutable;
using Orleans.Runtime;
using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;
using Webhooks.Rules;

namespace Webhooks.Tests.Flows;

[Collection(ClusterCollection.Name)]
public sealed class WebhookLifecycleTests(ClusterFixture fixture) : IAsyncLifetime
{
    private readonly Scenario _scenario = new(fixture.Client);
    private TestReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await TestReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task UpdatingObjectTypes_MovesTheSubscription_ToTheNewType()
    {
        var oldType = _scenario.Type("old");
        var newType = _scenario.Type("new");
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/moved");
        var webhook = await _scenario.WebhookAsync(oldType, endpoint, d => d with { BodyTemplate = "{{ model }} {{ data.n }}" });
        await _scenario.PublishAsync(Scenario.Event(oldType, "created", new { n = 1 }));
        await _receiver.WaitForAsync("/moved", 1);

        await fixture.Client.GetGrain<IWebhookGrain>(webhook).UpdateAsync(
            new WebhookDefinition { ObjectTypes = [newType] }, [WebhookField.ObjectTypes]);
        await _scenario.PublishAsync(Scenario.Event(oldType, "created", new { n = 2 }));
        await _scenario.PublishAsync(Scenario.Event(newType, "created", new { n = 3 }));

        var requests = await _receiver.WaitForAsync("/moved", 2);
        Assert.Equal([$"{oldType} 1", $"{newType} 3"], requests.Select(r => r.BodyText));
    }

    [Fact]
    public async Task ChangingAnEndpointsUrl_AfterAWebhookAddressedIt_SendsLaterEventsToTheNewUrl_TemplateOrNot()
    {
        var type = _scenario.Type();
        var endpointId = await _scenario.EndpointAsync($"{_receiver.Url}/before");
        await _scenario.WebhookAsync(type, endpointId, d => d with { BodyTemplate = "{{ data.n }}" });
        var endpoint = fixture.Client.GetGrain<IEndpointGrain>(endpointId);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1, slug = "sw1" }));
        await _receiver.WaitForAsync("/before", 1);

        // The webhook's cached route is now out of date: its next batch is refused with the new route and sent again.
        await endpoint.UpdateAsync(new EndpointDefinition { Url = $"{_receiver.Url}/by-slug/{{{{ data.slug }}}}" }, [EndpointField.Url]);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 2, slug = "sw2" }));
        Assert.Equal(["2"], (await _receiver.WaitForAsync("/by-slug/sw2", 1)).Select(r => r.BodyText));

        await endpoint.UpdateAsync(new EndpointDefinition { Url = $"{_receiver.Url}/after" }, [EndpointField.Url]);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 3, slug = "sw3" }));
        Assert.Equal(["3"], (await _receiver.WaitForAsync("/after", 1)).Select(r => r.BodyText));
        Assert.Single(_receiver.For("/before"));
        Assert.Empty(_receiver.For("/by-slug/sw3"));
    }

    [Fact]
    public async Task DisablingAndReenabling_StopsAndResumesDeliveries()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/toggle");
        var webhook = fixture.Client.GetGrain<IWebhookGrain>(await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.n }}" }));

        await webhook.UpdateAsync(new WebhookDefinition { Enabled = false }, [WebhookField.Enabled]);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));
        await webhook.UpdateAsync(new WebhookDefinition { Enabled = true }, [WebhookField.Enabled]);
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 2 }));

        var requests = await _receiver.WaitForAsync("/toggle", 1);
        Assert.Equal(["2"], requests.Select(r => r.BodyText));
    }

    [Fact]
    public async Task AfterEveryIdleGrainIsDeactivated_StreamSubscriptionsResumeAndDeliveryContinues()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/reactivated");
        var webhook = await _scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.n }}" });
        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));
        await _receiver.WaitForAsync("/reactivated", 1);

        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Poll.UntilAsync(
            async () => !(await management.GetActiveGrains(GrainType.Create("webhook"))).Contains(GrainId.Create("webhook", webhook)),
            "the webhook grain was deactivated");

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 2 }));

        var requests = await _receiver.WaitForAsync("/reactivated", 2);
        Assert.Equal(["1", "2"], requests.Select(r => r.BodyText));
        // The new activation continues from the counts the last one saved when it was collected.
        Assert.Equal(2, (await fixture.Client.GetGrain<IWebhookGrain>(webhook).GetAsync()).Stats.DeliveriesCreated);
    }

    [Fact]
    public async Task EndpointWithMaxInFlightFour_SendsFourRequestsConcurrently_AndNoMore()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/parallel", d => d with { MaxInFlight = 4, Timeout = TimeSpan.FromMinutes(1) });
        await _scenario.WebhookAsync(type, endpoint);
        _receiver.Stall();

        await _scenario.PublishAsync([.. Enumerable.Range(0, 10).Select(i => Scenario.Event(type, "created", new { n = i }))]);

        await Poll.UntilAsync(() => _receiver.StalledCount == 4, "four requests were held by the receiver at once");
        var status = await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync();
        Assert.Equal(4, status.InFlight);
        Assert.Equal(6, status.Queued);
        Assert.Equal(4, _receiver.For("/parallel").Count);

        _receiver.Resume();
        await _receiver.WaitForAsync("/parallel", 10);
        await Poll.UntilAsync(async () => (await fixture.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync()).Delivered == 10, "all ten were delivered");
    }

    [Fact]
    public async Task RedirectResponse_IsNotFollowed_AndCountsAsAFailure()
    {
        var type = _scenario.Type();
        var endpoint = await _scenario.EndpointAsync($"{_receiver.Url}/moved-permanently");
        await _scenario.WebhookAsync(type, endpoint);
        _receiver.Respond = r => r.Path == "/moved-permanently" ? 302 : 204;

        await _scenario.PublishAsync(Scenario.Event(type, "created", new { n = 1 }));

        var page = await Poll.ForAsync(
            () => fixture.Client.GetGrain<IDeliveryLogGrain>(IDeliveryLogGrain.DefaultKey).ListAsync(new DeliveryQuery { EndpointId = endpoint }),
            p => p.Items.Length == 1 && p.Items[0].Status == DeliveryStatus.Failed,
            "the delivery failed");
        Assert.All(page.Items[0].Attempts, a => Assert.Equal(302, a.StatusCode));
        Assert.All(_receiver.Requests, r => Assert.Equal("/moved-permanently", r.Path));
    }
}
