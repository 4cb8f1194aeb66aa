using Webhooks.Deliveries;
using Webhooks.Endpoints;
using Webhooks.Tests.Infrastructure;

namespace Webhooks.Tests.Durability;

/// <summary>Storage:Provider=postgres: deliveries and their attempts are rows, pending ones survive the cluster.</summary>
public sealed class DurableDeliveryTests : DurableTest
{

    [Fact]
    public async Task Publish_OnPostgres_RecordsEveryDeliveryAndAttempt_AndTheLogReadsThemBack()
    {
        await using var cluster = await Durable.StartAsync();
        var scenario = new Scenario(cluster.Client);
        var type = scenario.Type();
        var endpoint = await scenario.EndpointAsync($"{Receiver.Url}/log");
        var webhook = await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "n={{ data.n }}" });

        await scenario.PublishAsync([.. Enumerable.Range(1, 20).Select(n => Scenario.Event(type, "created", new { n }))]);
        await Receiver.WaitForAsync("/log", 20);

        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 2", ("e", endpoint)) == 20,
            "the database holds 20 succeeded deliveries");
        Assert.Equal(20, await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_delivery_attempts WHERE endpoint_id = @e AND status_code = 204", ("e", endpoint)));

        var log = cluster.Client.GetGrain<IDeliveryLogGrain>(0);
        var page = await log.ListAsync(new DeliveryQuery { EndpointId = endpoint, PageSize = 15 });
        Assert.Equal(15, page.Items.Length);
        Assert.NotNull(page.NextPageToken);
        var rest = await log.ListAsync(new DeliveryQuery { EndpointId = endpoint, PageSize = 15, PageToken = page.NextPageToken });
        var all = page.Items.AddRange(rest.Items);
        Assert.Equal(20, all.Select(d => d.Id).Distinct().Count());
        Assert.All(all, d =>
        {
            Assert.Equal(DeliveryStatus.Succeeded, d.Status);
            Assert.Equal(webhook, d.WebhookId);
            Assert.Equal(204, Assert.Single(d.Attempts).StatusCode);
        });
        // Newest first: the endpoint numbered them in order.
        Assert.Equal(all.Select(d => d.Sequence).OrderDescending(), all.Select(d => d.Sequence));

        var one = await log.GetAsync(all[^1].Id);
        Assert.Equal("n=1", one.Body);
        Assert.Equal(all[^1].EventId, one.EventId);

        var byWebhook = await log.ListAsync(new DeliveryQuery { WebhookId = webhook, PageSize = 100 });
        Assert.Equal(20, byWebhook.Items.Length);
    }

    [Fact]
    public async Task Replay_OnPostgres_SendsFailedDeliveriesAgain_RecordsManualAttempts_AndSurvivesARestart()
    {
        var settings = new Dictionary<string, string> { ["Delivery:MaxAttempts"] = "1" };
        Receiver.Respond = _ => 500;
        string endpoint;
        DateTimeOffset since;
        await using (var first = await Durable.StartAsync(settings: settings))
        {
            var scenario = new Scenario(first.Client);
            var type = scenario.Type();
            endpoint = await scenario.EndpointAsync($"{Receiver.Url}/replayed", d => d with { MaxInFlight = 1 });
            await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.n }}" });
            since = DateTimeOffset.UtcNow.AddMinutes(-1);
            await scenario.PublishAsync([.. Enumerable.Range(1, 3).Select(n => Scenario.Event(type, "created", new { n }))]);
            await Poll.UntilAsync(
                async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 3", ("e", endpoint)) == 3,
                "all three fail");

            // Paused, the replay is only stored: a restart must not strand it.
            var grain = first.Client.GetGrain<IEndpointGrain>(endpoint);
            await grain.PauseAsync();
            Assert.Equal(3, (await grain.ReplayAsync(since, DeliveryStatus.Failed)).Requeued);
            Assert.Equal(3L, await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 1", ("e", endpoint)));
            await first.StopAllSilosAsync();
        }

        Receiver.Respond = _ => 204;
        await using var second = await Durable.StartAsync(settings: settings);
        await second.Client.GetGrain<IEndpointGrain>(endpoint).ResumeAsync();

        // Read back after the restart they are ordinary pending deliveries whose attempts are used up: they end
        // failed rather than pending for ever; a second replay sends them.
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 1", ("e", endpoint)) == 0,
            "nothing stays pending after the restart");
        var grainAfter = second.Client.GetGrain<IEndpointGrain>(endpoint);
        var replayed = await grainAfter.ReplayAsync(since, DeliveryStatus.Failed);
        Assert.Equal(3, replayed.Requeued);
        var requests = await Receiver.WaitForAsync("/replayed", 6);
        Assert.Equal(["1", "2", "3"], requests.Skip(3).Select(r => r.BodyText));
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_delivery_attempts WHERE endpoint_id = @e AND manual AND status_code = 204", ("e", endpoint)) == 3,
            "the manual attempts are stored as such");
        Assert.Equal(3L, await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 2", ("e", endpoint)));
        Assert.Equal(3L, await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_delivery_attempts WHERE endpoint_id = @e AND NOT manual", ("e", endpoint)));
    }

    [Fact]
    public async Task WholeClusterRestart_KeepsPendingDeliveries_AndSendsThemInOrderWhenTheEndpointRecovers()
    {
        var settings = new Dictionary<string, string> { ["Delivery:MaxAttempts"] = "100", ["Delivery:RetryDelays:0"] = "00:00:00.500" };
        Receiver.Respond = _ => 503;
        string endpoint;
        await using (var first = await Durable.StartAsync(settings: settings))
        {
            var scenario = new Scenario(first.Client);
            var type = scenario.Type();
            endpoint = await scenario.EndpointAsync($"{Receiver.Url}/down", d => d with { MaxInFlight = 1 });
            await scenario.WebhookAsync(type, endpoint, d => d with { BodyTemplate = "{{ data.n }}" });
            await scenario.PublishAsync([.. Enumerable.Range(1, 30).Select(n => Scenario.Event(type, "created", new { n }))]);

            await Poll.UntilAsync(
                async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 1", ("e", endpoint)) == 30,
                "30 deliveries are pending in the database");
            await Receiver.WaitForAsync("/down", 2);
            Assert.Equal(1L, await Durable.ScalarAsync<long>("SELECT count(*) FROM OrleansRemindersTable"));
            await first.StopAllSilosAsync();
            Assert.Equal(1L, await Durable.ScalarAsync<long>("SELECT count(*) FROM OrleansRemindersTable"));
        }

        var before = Receiver.For("/down").Count;
        Receiver.Respond = _ => 204;
        await using var second = await Durable.StartAsync(settings: settings);

        // Nothing calls the endpoint in the new cluster: its recovery reminder wakes it up.
        await Poll.UntilAsync(
            () => Receiver.For("/down").Skip(before).Select(r => r.BodyText).Distinct().Count() == 30,
            "all 30 pending deliveries arrived after the restart", TimeSpan.FromSeconds(60));
        var firstArrivals = Receiver.For("/down").Skip(before).Select(r => int.Parse(r.BodyText, System.Globalization.CultureInfo.InvariantCulture)).Distinct();
        Assert.Equal(Enumerable.Range(1, 30), firstArrivals);
        await Poll.UntilAsync(
            async () => await Durable.ScalarAsync<long>("SELECT count(*) FROM webhooks_deliveries WHERE endpoint_id = @e AND status = 2", ("e", endpoint)) == 30,
            "all 30 are recorded as succeeded");

        // The endpoint may have moved to the second silo once it joined (rendezvous placement); a fresh activation
        // says "backlog in store" until its first read of the store, which finds nothing.
        await Poll.UntilAsync(
            async () => !(await second.Client.GetGrain<IEndpointGrain>(endpoint).GetStatusAsync()).BacklogInStore,
            "the endpoint knows its store holds nothing more");
    }
}
