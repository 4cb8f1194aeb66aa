namespace Webhooks.Endpoints;

/// <summary>How an endpoint comes back after its activation is lost with a silo. Here, for the embedded default:
/// nothing survives the silo, so there is nothing to come back to. <see cref="ReminderRecovery"/> is the durable
/// mode's.</summary>
internal class EndpointRecovery
{
    /// <summary>Nothing to recover: deliveries live only in this silo's memory.</summary>
    public static EndpointRecovery None { get; } = new();

    /// <summary>A pending delivery left memory unfinished (deactivation, a crash in its task): it is still pending
    /// in the store, so nobody may claim that every delivery numbered so far is finished.</summary>
    public virtual void MarkAbandoned()
    {
    }

    /// <summary>Makes sure the endpoint is woken up should its silo be lost while it has work.</summary>
    public virtual Task EnsureAsync(bool hasWork, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual void ReminderFired()
    {
    }

    /// <summary>The endpoint holds nothing and sends nothing.</summary>
    public virtual void OnIdle()
    {
    }

    /// <summary>Finished deliveries numbered from <paramref name="sequence"/> on are about to become pending again.</summary>
    public virtual Task BeforeRequeueAsync(long sequence, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <param name="idle">Nothing pending is held, in the store beyond memory, or being written.</param>
    /// <param name="wakeAgain">Work left here must be picked up by a new activation now, not at the reminder.</param>
    public virtual Task OnDeactivateAsync(bool idle, bool wakeAgain) => Task.CompletedTask;

    /// <summary>The endpoint was deleted.</summary>
    public virtual Task StopAsync() => Task.CompletedTask;
}
