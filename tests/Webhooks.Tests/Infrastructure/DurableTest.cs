
namespace Webhooks.Tests.Infrastructure;

/// <summary>Per test: a fresh durable-mode database (<see cref="DurableCluster"/>, clusters started by the test)
/// and a real receiver.</summary>
public abstract class DurableTest : IAsyncLifetime
{
    protected DurableCluster Durable { get; private set; } = null!;

    protected TestReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Durable = await DurableCluster.CreateAsync();
        Receiver = await TestReceiver.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Durable.DisposeAsync();
    }
}
