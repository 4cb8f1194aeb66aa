using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhooks.Benchmarks.Workload;
using Webhooks.ProcessHarness;
using Proto = Webhooks.Api.V1;

namespace Webhooks.Benchmarks.Harness;

/// <summary>The isolation scenario's extra endpoint and the webhook that sends every event to it, and the silo's
/// view of that endpoint at the end of a phase.</summary>
/// <remarks>Its URL never leads to /hook/…, so nothing it sends can enter the receiver's delivery log: the expected
/// pairs, lost/unexpected/misrouted counts and deliveries/s stay those of the healthy webhooks.</remarks>
public static class BadEndpointSetup
{
    /// <summary>Creates the bad endpoint and its webhook; returns the endpoint's URL.</summary>
    public static async Task<string> CreateAsync(SiloProcess silo, Scenario scenario, int receiverPort, bool defaultBody, CancellationToken cancellationToken)
    {
        var url = scenario.Bad switch
        {
            BadEndpoint.Timeout => BenchProtocol.SlowUrl(receiverPort),
            // A port that was free a moment ago and that nobody listens on: every attempt is refused at once. Chosen
            // now, with the silo's and the receiver's ports already taken, so it cannot be one of theirs.
            BadEndpoint.Backlog => BenchProtocol.DownUrl(LoopbackPorts.Free(1)[0]),
            _ => throw new InvalidOperationException($"{scenario.Name} has no bad endpoint"),
        };
        await silo.Endpoints.CreateEndpointAsync(new Proto.CreateEndpointRequest
        {
            EndpointId = Isolation.EndpointId,
            Endpoint = new Proto.Endpoint
            {
                Name = "bench bad endpoint (" + Isolation.Name(scenario.Bad) + ")",
                Url = url,
                Secret = Isolation.Secret,
                // Like the healthy endpoints, so that only its being bad differs.
                MaxInFlight = scenario.MaxInFlight,
                Timeout = Duration.FromTimeSpan(TimeoutOf(scenario.Bad)),
            },
        }, cancellationToken: cancellationToken);

        await silo.Webhooks.CreateWebhookAsync(new Proto.CreateWebhookRequest
        {
            WebhookId = Isolation.WebhookId,
            Webhook = new Proto.Webhook
            {
                Name = "bench bad webhook",
                // Every event the healthy webhooks see (the fan-out shape has one object type and no condition).
                ObjectTypes = { scenario.WebhookObjectType(0) },
                Events = { "created" },
                AdditionalHeaders = BenchProtocol.WebhookHeader + ": " + Isolation.WebhookHeaderValue,
                BodyTemplate = defaultBody ? "" : EventFactory.BodyTemplate,
                EndpointIds = { Isolation.EndpointId },
            },
        }, cancellationToken: cancellationToken);
        return url;
    }

    /// <summary>The timeout variant's short timeout; the backlog variant's is the healthy endpoints' (it never
    /// matters: the connection is refused at once).</summary>
    public static TimeSpan TimeoutOf(BadEndpoint bad) => bad == BadEndpoint.Timeout ? Isolation.Timeout : ScenarioRunner.EndpointTimeout;

    /// <summary>What the bad endpoint went through; reads its state from the silo (best effort: a silo too busy to
    /// answer within 10 s is itself worth recording).</summary>
    public static async Task<BadEndpointResult> ReportAsync(SiloProcess silo, Scenario scenario, string url, long arrivals, CancellationToken cancellationToken)
    {
        EndpointStateResult? state = null;
        string? stateError = null;
        try
        {
            var s = await silo.Endpoints.GetEndpointStateAsync(new Proto.GetEndpointStateRequest { EndpointId = Isolation.EndpointId },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
            state = new EndpointStateResult(s.Queued, s.InFlight, s.Delivered, s.Failed, s.Attempts, s.BacklogInStore, s.WaitingEnqueuers,
                s.QueueCapacity, s.LastStatusCode, s.LastError, s.CircuitState.ToString(), s.ConsecutiveFailures, s.WaitingForRetry,
                s.DisabledReason);
        }
        catch (RpcException ex)
        {
            stateError = $"GetEndpointState: {ex.StatusCode} {ex.Status.Detail}";
        }

        return new BadEndpointResult
        {
            Kind = Isolation.Name(scenario.Bad),
            Url = url,
            TimeoutSeconds = TimeoutOf(scenario.Bad).TotalSeconds,
            Arrivals = arrivals,
            State = state,
            StateError = stateError,
        };
    }

    /// <summary>One line for the console.</summary>
    public static string Summary(BadEndpointResult bad) =>
        string.Create(CultureInfo.InvariantCulture, $"bad endpoint ({bad.Kind}, {bad.Url}): {bad.Arrivals:N0} requests reached the receiver; ")
        + (bad.State is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"state: queued {s.Queued:N0}, in flight {s.InFlight}, backlog in store {s.BacklogInStore}, waiting enqueuers {s.WaitingEnqueuers}, delivered {s.Delivered:N0}, failed {s.Failed:N0}, attempts {s.Attempts:N0}, circuit {s.CircuitState}, last error '{s.LastError}'")
            : bad.StateError);
}
