using Microsoft.Extensions.Options;
using Webhooks.Hosting;

namespace Webhooks.Silo;

/// <summary>Makes a stop (SIGTERM) end within Orleans:ShutdownTimeout. The host gives its services all but the last
/// few seconds of it to stop gracefully and then cancels them; should something still not have returned (a silo that
/// cannot reach its database keeps retrying its membership and reminder writes), the process exits when the time is up.</summary>
internal sealed partial class ShutdownDeadline(IHostApplicationLifetime lifetime, IOptions<SiloClusterOptions> options, ILogger<ShutdownDeadline> logger) : IHostedService
{
    /// <summary>Left to the silo's ungraceful stop after the graceful one was cancelled.</summary>
    public static readonly TimeSpan UngracefulShare = TimeSpan.FromSeconds(5);

    /// <summary>How long the host lets its services stop gracefully.</summary>
    public static TimeSpan GracefulPart(TimeSpan deadline) =>
        deadline > UngracefulShare + TimeSpan.FromSeconds(1) ? deadline - UngracefulShare : deadline / 2;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = options.Value.ShutdownTimeout;
        lifetime.ApplicationStopping.Register(() => _ = ExitAtDeadlineAsync(deadline));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ExitAtDeadlineAsync(TimeSpan deadline)
    {
        await Task.Delay(deadline, CancellationToken.None);
        LogDeadlinePassed(logger, deadline.TotalSeconds);
        Environment.Exit(3);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The silo did not stop within Orleans:ShutdownTimeout ({Seconds} s); exiting")]
    private static partial void LogDeadlinePassed(ILogger logger, double seconds);
}
