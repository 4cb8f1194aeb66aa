using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Api.V1;
using Webhooks.Tests.Infrastructure;
using Endpoint = Webhooks.Api.V1.Endpoint;

namespace Webhooks.Tests.Rules;

/// <summary>An event whose hand-off keeps failing the same way is set aside as a dead letter after
/// PoisonEvents:Attempts failures, and the events behind it on its stream go on, in order; through the real gateway,
/// operators list it, requeue it (delivered once the fault is gone) or discard it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PoisonEventTests(ClusterFixture fixture) : GatewayTest(fixture.Client)
{
    [Fact]
    public async Task APoisonEvent_IsSetAside_TheStreamGoesOn_AndARequeueDeliversItOnceTheFaultIsGone()
    {
        var (type, webhook) = await WebhookAsync("/poison");
        var poison = $"poison-{Prefix}-2";
        InjectedFaults.Fail(poison);
        try
        {
            await PublishAsync(type, $"ok-{Prefix}-1", 1);
            await PublishAsync(type, poison, 2);
            await PublishAsync(type, $"ok-{Prefix}-3", 3);

            var arrived = await Receiver.WaitForAsync("/poison", 2);
            Assert.Equal(["1", "3"], arrived.Select(r => r.BodyText));
            var status = await StatusAsync(webhook);
            Assert.Equal(1, status.DeadLetters);
            Assert.Equal(1, status.EventsDeadLettered);
            Assert.Contains(poison, status.LastError, StringComparison.Ordinal);
            Assert.Contains("injected fault", status.LastError, StringComparison.Ordinal);

            var listed = await WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = webhook });
            var deadLetter = Assert.Single(listed.DeadLetters);
            Assert.Equal(poison, deadLetter.Event.EventId);
            Assert.Equal(type, deadLetter.Event.ObjectType);
            Assert.Equal(2, deadLetter.Event.Data.Fields["n"].NumberValue);
            // At least the attempts, and for at least PoisonEvents:After (half a second here).
            Assert.InRange(deadLetter.Failures, ClusterFixture.PoisonAttempts, 50);
            Assert.True(deadLetter.DeadLetterTime.ToDateTimeOffset() - deadLetter.FirstFailureTime.ToDateTimeOffset() >= TimeSpan.FromMilliseconds(500));
            Assert.StartsWith("System.InvalidOperationException: injected fault", deadLetter.Error, StringComparison.Ordinal);
            Assert.Empty(listed.NextPageToken);

            // Still failing: it stays where it is, and the caller is told why.
            var refused = await WebhooksApi.RequeueDeadLettersAsync(new RequeueDeadLettersRequest { WebhookId = webhook, All = true });
            Assert.Equal(0, refused.Requeued);
            Assert.Equal(1, refused.Remaining);
            Assert.Contains("injected fault", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            InjectedFaults.Clear(poison);
        }

        var requeued = await WebhooksApi.RequeueDeadLettersAsync(new RequeueDeadLettersRequest { WebhookId = webhook, EventIds = { poison } });
        Assert.Equal(1, requeued.Requeued);
        Assert.Equal(0, requeued.Remaining);
        Assert.Empty(requeued.Error);
        var all = await Receiver.WaitForAsync("/poison", 3);
        Assert.Equal(["1", "3", "2"], all.Select(r => r.BodyText));
        Assert.Empty((await WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = webhook })).DeadLetters);
        Assert.Equal(0, (await StatusAsync(webhook)).DeadLetters);
    }

    [Fact]
    public async Task DeadLetters_CanBeDiscarded_AndAreListedInPages()
    {
        var (type, webhook) = await WebhookAsync("/discard");
        var poisons = Enumerable.Range(1, 3).Select(i => $"poison-{Prefix}-d{i}").ToList();
        poisons.ForEach(InjectedFaults.Fail);
        try
        {
            for (var i = 0; i < poisons.Count; i++)
            {
                await PublishAsync(type, poisons[i], i);
            }

            await PublishAsync(type, $"ok-{Prefix}-last", 9);
            await Receiver.WaitForAsync("/discard", 1);
            await Poll.UntilAsync(async () => (await StatusAsync(webhook)).DeadLetters == 3, "three dead letters");
        }
        finally
        {
            poisons.ForEach(InjectedFaults.Clear);
        }

        var first = await WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = webhook, PageSize = 2 });
        var second = await WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = webhook, PageSize = 2, PageToken = first.NextPageToken });
        Assert.Equal(poisons, first.DeadLetters.Concat(second.DeadLetters).Select(d => d.Event.EventId));
        Assert.Empty(second.NextPageToken);

        var one = await WebhooksApi.DiscardDeadLettersAsync(new DiscardDeadLettersRequest { WebhookId = webhook, EventIds = { poisons[1] } });
        Assert.Equal((1, 2), (one.Discarded, one.Remaining));
        var rest = await WebhooksApi.DiscardDeadLettersAsync(new DiscardDeadLettersRequest { WebhookId = webhook, All = true });
        Assert.Equal((2, 0), (rest.Discarded, rest.Remaining));
        Assert.Equal(0, (await StatusAsync(webhook)).DeadLetters);
        Assert.Single(Receiver.For("/discard"));
    }

    [Fact]
    public async Task DeadLettersPastTheCapacity_DropTheOldest()
    {
        var (type, webhook) = await WebhookAsync("/capacity");
        var poisons = Enumerable.Range(1, ClusterFixture.DeadLetterCapacity + 1).Select(i => $"poison-{Prefix}-c{i}").ToList();
        poisons.ForEach(InjectedFaults.Fail);
        try
        {
            for (var i = 0; i < poisons.Count; i++)
            {
                await PublishAsync(type, poisons[i], i);
            }

            await PublishAsync(type, $"ok-{Prefix}-after", 9);
            await Receiver.WaitForAsync("/capacity", 1);
        }
        finally
        {
            poisons.ForEach(InjectedFaults.Clear);
        }

        var status = await StatusAsync(webhook);
        Assert.Equal(poisons.Count, status.EventsDeadLettered);
        Assert.Equal(ClusterFixture.DeadLetterCapacity, status.DeadLetters);
        var held = await WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = webhook });
        Assert.Equal(poisons.Skip(1), held.DeadLetters.Select(d => d.Event.EventId));
    }

    [Fact]
    public async Task DeadLetterCalls_NameWhatIsWrong()
    {
        var (_, webhook) = await WebhookAsync("/calls");

        var neither = await Assert.ThrowsAsync<RpcException>(() =>
            WebhooksApi.RequeueDeadLettersAsync(new RequeueDeadLettersRequest { WebhookId = webhook }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, neither.StatusCode);
        Assert.Contains("event_ids", neither.Status.Detail, StringComparison.Ordinal);
        var both = await Assert.ThrowsAsync<RpcException>(() =>
            WebhooksApi.DiscardDeadLettersAsync(new DiscardDeadLettersRequest { WebhookId = webhook, All = true, EventIds = { "x" } }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            WebhooksApi.ListDeadLettersAsync(new ListDeadLettersRequest { WebhookId = $"missing-{Prefix}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        await WebhooksApi.UpdateWebhookAsync(new UpdateWebhookRequest { Webhook = new Webhook { Id = webhook, Enabled = false } });
        var disabled = await Assert.ThrowsAsync<RpcException>(() =>
            WebhooksApi.RequeueDeadLettersAsync(new RequeueDeadLettersRequest { WebhookId = webhook, All = true }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, disabled.StatusCode);
        Assert.Contains("disabled", disabled.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<WebhookStatus> StatusAsync(string webhook) => (await WebhooksApi.GetWebhookAsync(new GetWebhookRequest { Id = webhook })).Status;

    private async Task<(string Type, string Webhook)> WebhookAsync(string path)
    {
        var type = $"p{Prefix}{path.Trim('/')}.device";
        var endpoint = (await EndpointsApi.CreateEndpointAsync(new CreateEndpointRequest
        {
            Endpoint = new Endpoint { Name = "receiver", Url = $"{Receiver.Url}{path}" },
        })).Id;
        var webhook = await WebhooksApi.CreateWebhookAsync(new CreateWebhookRequest
        {
            Webhook = new Webhook { Name = "w", ObjectTypes = { type }, Events = { "created" }, EndpointIds = { endpoint }, BodyTemplate = "{{ data.n }}" },
        });
        return (type, webhook.Id);
    }

    private Task<PublishResponse> PublishAsync(string type, string eventId, int n) =>
        EventsApi.PublishAsync(new PublishRequest
        {
            Event = new ObjectEvent
            {
                EventId = eventId,
                ObjectType = type,
                Event = "created",
                Data = new Struct { Fields = { ["n"] = Value.ForNumber(n) } },
            },
        }).ResponseAsync;
}
